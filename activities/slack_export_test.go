package activities

// SlackStateLabel exposes the Slack wording of a state to the external
// test that checks it against the workflow's states.
func SlackStateLabel(state string) (string, bool) {
	st, ok := slackStates[state]
	return st.label, ok
}
