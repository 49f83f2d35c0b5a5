package fakecloud

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// sqsContentType is the awsJson1_0 media type SQS speaks since 2023.
const sqsContentType = "application/x-amz-json-1.0"

// sqsTargetPrefix prefixes X-Amz-Target: "AmazonSQS.ReceiveMessage".
const sqsTargetPrefix = "AmazonSQS."

// sqsService is SQS over the JSON protocol: queues and their attributes
// (sqs_queue.go), the message lifecycle with visibility timeouts and
// redrive (sqs_message.go), SendMessage* (sqs_send.go), ReceiveMessage
// with long polling, DeleteMessage* and ChangeMessageVisibility
// (sqs_receive.go), and message attributes (sqs_attributes.go).
//
// SQS message calls are data events, which CloudTrail does not record by
// default, so their handlers never call c.Record. That also keeps the
// queue traffic of rectify's own starter out of the event stream it
// consumes. The management calls (CreateQueue, SetQueueAttributes,
// TagQueue, UntagQueue: sqs_manage.go) are recorded, as in AWS.
type sqsService struct {
	cloud *Cloud

	// mu guards every queue and message. Critical sections are short: a
	// long poll waits on its queue's wake channel with mu released.
	mu     sync.Mutex
	queues map[sqsQueueKey]*sqsQueue

	// done is closed by close() to wake every long poll at shutdown.
	done      chan struct{}
	closeOnce sync.Once
}

func newSQSService(c *Cloud) *sqsService {
	return &sqsService{cloud: c, queues: map[sqsQueueKey]*sqsQueue{}, done: make(chan struct{})}
}

// close wakes every long poll so that server shutdown does not wait for
// them; later receives return at once.
func (s *sqsService) close() {
	s.closeOnce.Do(func() { close(s.done) })
}

func (s *sqsService) eventSource() string { return "sqs.amazonaws.com" }

func (s *sqsService) actions() []string { return slices.Sorted(maps.Keys(sqsHandlers)) }

// sqsHandlers are the emulated operations, by X-Amz-Target name.
var sqsHandlers = map[string]func(*sqsService, *call) *APIError{
	"CreateQueue":             (*sqsService).createQueueCall,
	"GetQueueUrl":             (*sqsService).getQueueURL,
	"GetQueueAttributes":      (*sqsService).getQueueAttributes,
	"SendMessage":             (*sqsService).sendMessage,
	"SendMessageBatch":        (*sqsService).sendMessageBatch,
	"ReceiveMessage":          (*sqsService).receiveMessage,
	"DeleteMessage":           (*sqsService).deleteMessage,
	"DeleteMessageBatch":      (*sqsService).deleteMessageBatch,
	"ChangeMessageVisibility": (*sqsService).changeMessageVisibility,
	"SetQueueAttributes":      (*sqsService).setQueueAttributes,
	"ListQueues":              (*sqsService).listQueues,
	"TagQueue":                (*sqsService).tagQueue,
	"UntagQueue":              (*sqsService).untagQueue,
	"ListQueueTags":           (*sqsService).listQueueTags,
}

func (s *sqsService) route(r *http.Request, body []byte) (string, *APIError) {
	op, err := jsonTarget(r, sqsTargetPrefix, "SQS")
	if err != nil {
		return "", err
	}
	if _, ok := sqsHandlers[op]; !ok {
		return op, errorf("AWS.SimpleQueueService.UnsupportedOperation", "fakecloud does not emulate SQS %s", op)
	}
	return op, nil
}

func (s *sqsService) handle(c *call) *APIError {
	return sqsHandlers[c.action](s, c)
}

// sqsErrorShapes maps the error code SQS reports (the awsQueryError code,
// which the SDK surfaces through ErrorCode) to the JSON shape named in
// __type, which the SDK uses to pick the typed error. Codes not listed are
// generic service errors.
var sqsErrorShapes = map[string]string{
	"AWS.SimpleQueueService.NonExistentQueue":             "QueueDoesNotExist",
	"QueueAlreadyExists":                                  "QueueNameExists",
	"ReceiptHandleIsInvalid":                              "ReceiptHandleIsInvalid",
	"InvalidAttributeName":                                "InvalidAttributeName",
	"InvalidAttributeValue":                               "InvalidAttributeValue",
	"InvalidAddress":                                      "InvalidAddress",
	"InvalidMessageContents":                              "InvalidMessageContents",
	"OverLimit":                                           "OverLimit",
	"RequestThrottled":                                    "RequestThrottled",
	"AWS.SimpleQueueService.EmptyBatchRequest":            "EmptyBatchRequest",
	"AWS.SimpleQueueService.TooManyEntriesInBatchRequest": "TooManyEntriesInBatchRequest",
	"AWS.SimpleQueueService.BatchEntryIdsNotDistinct":     "BatchEntryIdsNotDistinct",
	"AWS.SimpleQueueService.InvalidBatchEntryId":          "InvalidBatchEntryId",
	"AWS.SimpleQueueService.BatchRequestTooLong":          "BatchRequestTooLong",
	"AWS.SimpleQueueService.MessageNotInflight":           "MessageNotInflight",
	"AWS.SimpleQueueService.UnsupportedOperation":         "UnsupportedOperation",
	"AWS.SimpleQueueService.PurgeQueueInProgress":         "PurgeQueueInProgress",
	"AWS.SimpleQueueService.QueueDeletedRecently":         "QueueDeletedRecently",
}

// writeError writes the error the way SQS does in its query-compatible
// JSON mode: the modeled shape in __type, and the legacy query error code
// in x-amzn-query-error, which the SDK prefers for ErrorCode. So a missing
// queue is a *types.QueueDoesNotExist whose ErrorCode is
// "AWS.SimpleQueueService.NonExistentQueue", exactly as against AWS.
func (s *sqsService) writeError(c *call, err *APIError) {
	typ := "com.amazon.coral.service#" + err.Code
	if shape, ok := sqsErrorShapes[err.Code]; ok {
		typ = "com.amazonaws.sqs#" + shape
	}
	fault := "Sender"
	if err.Status >= 500 {
		fault = "Receiver"
	}
	c.w.Header().Set("x-amzn-query-error", err.Code+";"+fault)
	c.writeJSON(err.Status, sqsContentType, map[string]string{"__type": typ, "message": err.Message})
}

func (s *sqsService) authError(key string) *APIError {
	if sessionExpired(s.cloud, key) {
		return &APIError{Status: http.StatusForbidden, Code: "ExpiredToken", Message: "The security token included in the request is expired"}
	}
	return &APIError{Status: http.StatusForbidden, Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
}

func (s *sqsService) deniedError(c *call) *APIError {
	resource := "*"
	var in struct{ QueueUrl string }
	if json.Unmarshal(c.body, &in) == nil {
		if acct, name, ok := parseQueueURL(in.QueueUrl); ok {
			resource = sqsQueueARN(c.region, acct, name)
		}
	}
	return &APIError{Status: http.StatusForbidden, Code: "AccessDenied", Message: fmt.Sprintf(
		"User: %s is not authorized to perform: sqs:%s on resource: %s because no identity-based policy allows the sqs:%s action",
		c.principal.ARN, c.action, resource, c.action)}
}

// decode reads the JSON request body into v. SQS answers a body it cannot
// read with a SerializationException, never a 500.
func (s *sqsService) decode(c *call, v any) *APIError {
	body := c.body
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errorf("SerializationException", "cannot read %s request: %v", c.action, err)
	}
	return nil
}

func (s *sqsService) reply(c *call, v any) {
	c.writeJSON(http.StatusOK, sqsContentType, v)
}

// sqsInvalidParameter is the error for a parameter outside its range.
func sqsInvalidParameter(name string, value any, reason string) *APIError {
	return errorf("InvalidParameterValue", "Value %v for parameter %s is invalid. Reason: %s", value, name, reason)
}
