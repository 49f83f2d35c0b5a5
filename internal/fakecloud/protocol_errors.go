package fakecloud

import (
	"encoding/xml"
	"net/http"
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
