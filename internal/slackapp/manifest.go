package slackapp

import (
	"fmt"
	"net/url"
	"strings"
)

// BotScopes are the OAuth scopes rectify needs, each for a reason:
//   - chat:write: post, update and thread the violation message, and the
//     ephemeral replies to a click;
//   - usergroups:read: resolve approver user groups (usergroups.users.list).
//
// views.open (the reject reason modal) needs no scope. users:read is not
// needed: approvers are Slack IDs, rendered as mentions by Slack itself.
var BotScopes = []string{"chat:write", "usergroups:read"}

// Manifest is a Slack app manifest (https://docs.slack.dev/reference/app-manifest),
// encodable as YAML or JSON.
type Manifest struct {
	Metadata    ManifestMetadata `yaml:"_metadata" json:"_metadata"`
	Display     ManifestDisplay  `yaml:"display_information" json:"display_information"`
	Features    ManifestFeatures `yaml:"features" json:"features"`
	OAuthConfig ManifestOAuth    `yaml:"oauth_config" json:"oauth_config"`
	Settings    ManifestSettings `yaml:"settings" json:"settings"`
}

// ManifestMetadata is the manifest schema version.
type ManifestMetadata struct {
	MajorVersion int `yaml:"major_version" json:"major_version"`
}

// ManifestDisplay is how the app looks in Slack.
type ManifestDisplay struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description"`
}

// ManifestFeatures declares the bot user.
type ManifestFeatures struct {
	BotUser ManifestBotUser `yaml:"bot_user" json:"bot_user"`
}

// ManifestBotUser is the bot that posts the messages.
type ManifestBotUser struct {
	DisplayName  string `yaml:"display_name" json:"display_name"`
	AlwaysOnline bool   `yaml:"always_online" json:"always_online"`
}

// ManifestOAuth lists the scopes.
type ManifestOAuth struct {
	Scopes ManifestScopes `yaml:"scopes" json:"scopes"`
}

// ManifestScopes are the bot token scopes.
type ManifestScopes struct {
	Bot []string `yaml:"bot" json:"bot"`
}

// ManifestSettings turns interactivity on.
type ManifestSettings struct {
	Interactivity        ManifestInteractivity `yaml:"interactivity" json:"interactivity"`
	OrgDeployEnabled     bool                  `yaml:"org_deploy_enabled" json:"org_deploy_enabled"`
	SocketModeEnabled    bool                  `yaml:"socket_mode_enabled" json:"socket_mode_enabled"`
	TokenRotationEnabled bool                  `yaml:"token_rotation_enabled" json:"token_rotation_enabled"`
}

// ManifestInteractivity is where Slack sends button clicks and modals.
type ManifestInteractivity struct {
	IsEnabled  bool   `yaml:"is_enabled" json:"is_enabled"`
	RequestURL string `yaml:"request_url" json:"request_url"`
}

// NewManifest describes the rectify app whose starter is reachable at
// baseURL (https://host[:port][/prefix]). Slack only calls https URLs, so
// anything else is refused here rather than in Slack's app settings.
func NewManifest(baseURL, name string) (Manifest, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return Manifest{}, fmt.Errorf("url %q: %w", baseURL, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return Manifest{}, fmt.Errorf("url %q: Slack needs an absolute https URL, such as https://rectify.example.com", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Manifest{}, fmt.Errorf("url %q: give the base URL without query or fragment", baseURL)
	}
	// The starter's URL, or the interactions URL itself: either way the
	// path ends in InteractionsPath once, never twice.
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), InteractionsPath) + InteractionsPath
	if name == "" {
		name = "rectify"
	}
	return Manifest{
		Metadata: ManifestMetadata{MajorVersion: 1},
		Display: ManifestDisplay{
			Name:        name,
			Description: "Approve, reject and follow cloud-security remediations.",
		},
		Features:    ManifestFeatures{BotUser: ManifestBotUser{DisplayName: name, AlwaysOnline: true}},
		OAuthConfig: ManifestOAuth{Scopes: ManifestScopes{Bot: BotScopes}},
		Settings: ManifestSettings{
			Interactivity: ManifestInteractivity{IsEnabled: true, RequestURL: u.String()},
		},
	}, nil
}
