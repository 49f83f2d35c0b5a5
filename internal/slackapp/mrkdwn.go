package slackapp

import (
	"regexp"
	"strings"
)

// Slack IDs: users (U…, W… on Enterprise Grid) and user groups (S…).
var (
	userIDPattern  = regexp.MustCompile(`^[UW][A-Z0-9]{6,}$`)
	groupIDPattern = regexp.MustCompile(`^S[A-Z0-9]{6,}$`)
	// mentionable is a user or group ID inside free text; it must hold a
	// digit so that an upper-case word ("UNENCRYPTED") is never taken for one.
	mentionable = regexp.MustCompile(`\b[UWS][A-Z0-9]*[0-9][A-Z0-9]*\b`)
	// broadcasts are the special mentions an escalation may use.
	broadcasts = strings.NewReplacer("@here", "<!here>", "@channel", "<!channel>", "@everyone", "<!everyone>")
)

// IsUserID reports whether s looks like a Slack user ID.
func IsUserID(s string) bool { return userIDPattern.MatchString(s) }

// IsGroupID reports whether s looks like a Slack user-group ID.
func IsGroupID(s string) bool { return groupIDPattern.MatchString(s) }

// Mention renders a user or group ID so Slack shows the name; anything
// else (a CLI user, "timeout") is shown as is.
func Mention(id string) string {
	switch {
	case IsUserID(id):
		return "<@" + id + ">"
	case IsGroupID(id):
		return "<!subteam^" + id + ">"
	}
	return Escape(id)
}

// Escape makes text safe inside mrkdwn: resource names, messages and
// actors come from the cloud, and '<' would otherwise start a link or a
// mention.
func Escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// Mentionify escapes text and renders the user IDs in it as mentions, so
// "approved by U0123ABCD" shows the approver's name. It is safe on text
// from the cloud: nothing in it can notify a group or a channel.
func Mentionify(s string) string {
	return mentionable.ReplaceAllStringFunc(Escape(s), func(id string) string {
		if !IsUserID(id) {
			return id
		}
		return "<@" + id + ">"
	})
}

// MentionifyAll also renders user-group IDs and @here, @channel and
// @everyone, which notify many people: only for text rectify itself wrote
// from its configuration (reminders, escalation mentions).
func MentionifyAll(s string) string {
	return broadcasts.Replace(mentionable.ReplaceAllStringFunc(Escape(s), Mention))
}
