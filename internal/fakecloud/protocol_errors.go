package fakecloud

import (
	"encoding/xml"
	"net/http"
	"strings"
)

// writeQueryError writes an error the way the awsquery services (STS, IAM,
// RDS) do: an ErrorResponse in the service's namespace, Type Sender for the
// caller's mistakes and Receiver for the service's.
func writeQueryError(c *call, namespace string, err *APIError) {
	type body struct {
		Type    string
		Code    string
		Message string
	}
	kind := "Sender"
	if err.Status >= 500 {
		kind = "Receiver"
	}
	c.writeXML(err.Status, struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Error     body     `xml:"Error"`
		RequestID string   `xml:"RequestId"`
	}{Xmlns: namespace, Error: body{Type: kind, Code: err.Code, Message: err.Message}, RequestID: c.requestID})
}

// queryAuthError is what the awsquery services answer to a key they do not
// know, or to an assumed-role session that has expired.
func queryAuthError(cloud *Cloud, key string) *APIError {
	if sessionExpired(cloud, key) {
		return &APIError{Status: http.StatusForbidden, Code: "ExpiredToken", Message: "The security token included in the request is expired"}
	}
	return &APIError{Status: http.StatusForbidden, Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
}

// jsonAuthError is the same refusal from the awsJson services (Config, KMS,
// CloudTrail), which name their error shapes differently.
func jsonAuthError(cloud *Cloud, key string) *APIError {
	if sessionExpired(cloud, key) {
		return errorf("ExpiredTokenException", "The security token included in the request is expired")
	}
	return errorf("UnrecognizedClientException", "The security token included in the request is invalid.")
}

// jsonTarget reads the operation of an awsJson request (POST / with
// X-Amz-Target: <prefix><Operation>); protocol names the service in the
// refusal of any other request.
func jsonTarget(r *http.Request, prefix, protocol string) (string, *APIError) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, prefix)
	if r.Method != http.MethodPost || !ok || op == "" {
		return "", errorf("UnknownOperationException",
			"fakecloud speaks the %s JSON protocol only: POST / with X-Amz-Target: %s<Operation> (got %s %s, target %q)",
			protocol, prefix, r.Method, r.URL.Path, target)
	}
	return op, nil
}

// writeJSONError writes an error the way the awsJson services (Config,
// ECR, KMS, CloudWatch Logs) do: its shape name in __type.
func writeJSONError(c *call, contentType string, err *APIError) {
	c.writeJSON(err.Status, contentType, map[string]string{"__type": err.Code, "message": err.Message})
}
