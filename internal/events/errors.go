package events

import "fmt"

// ParseError says why a message is not something Parse understands. The
// starter logs Reason with the message id and leaves the message on the queue,
// so its redrive policy moves it to the DLQ; the words must let an operator
// find the problem without the message at hand.
type ParseError struct {
	Reason string // e.g. "not JSON", "Records[2]: CloudTrail record has no eventName"
	Err    error  // the decoding error underneath, if there is one
}

func (e *ParseError) Error() string {
	if e.Err != nil {
		return e.Reason + ": " + e.Err.Error()
	}
	return e.Reason
}

func (e *ParseError) Unwrap() error { return e.Err }

func malformed(format string, args ...any) *ParseError {
	return &ParseError{Reason: fmt.Sprintf(format, args...)}
}
