package fakecloud

// EBS encryption by default is one flag per account and region, off in a
// new account as in AWS. It has no id, no ARN and no tags: the operations
// take nothing but DryRun and answer the flag.

// ebsEncryptionDefaults holds the flag by account and region; absent is off.
// It is guarded by ec2Service.mu like the rest of EC2's state.
type ebsEncryptionDefaults map[ec2Key]bool

type xmlEbsEncryptionByDefaultResponse struct {
	RequestID              string `xml:"requestId"`
	EbsEncryptionByDefault bool   `xml:"ebsEncryptionByDefault"`
	// SseType is what GetEbsEncryptionByDefault reports since 2024; the
	// fake has no KMS-backed EBS, so it is always the EBS-managed kind.
	SseType string `xml:"sseType,omitempty"`
}

func (s *ec2Service) ebsDefault(account, region string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ebs[ec2Key{account, region}]
}

func (s *ec2Service) setEBSDefault(account, region string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ebs == nil {
		s.ebs = ebsEncryptionDefaults{}
	}
	s.ebs[ec2Key{account, region}] = on
}

// SetEBSEncryptionByDefault sets the flag without a CloudTrail event, as a
// seed does: the state before the story starts.
func (c *Cloud) SetEBSEncryptionByDefault(account, region string, enabled bool) {
	c.ec2.setEBSDefault(account, region, enabled)
}

// EBSEncryptionByDefault reads the flag, for tests.
func (c *Cloud) EBSEncryptionByDefault(account, region string) bool {
	return c.ec2.ebsDefault(account, region)
}

func (s *ec2Service) getEbsEncryptionByDefault(c *call, p ec2Params) *APIError {
	if err := ec2DryRun(p); err != nil {
		return err
	}
	on := s.ebsDefault(c.account(), c.region)
	ec2Respond(c, xmlEbsEncryptionByDefaultResponse{RequestID: c.requestID, EbsEncryptionByDefault: on, SseType: "sse-ebs"})
	return nil
}

func (s *ec2Service) enableEbsEncryptionByDefault(c *call, p ec2Params) *APIError {
	return s.setEbsEncryptionByDefault(c, p, true)
}

func (s *ec2Service) disableEbsEncryptionByDefault(c *call, p ec2Params) *APIError {
	return s.setEbsEncryptionByDefault(c, p, false)
}

// setEbsEncryptionByDefault serves Enable and Disable. CloudTrail writes
// these newer EC2 calls in the wrapped form: requestParameters names the
// request shape with an empty value, and responseElements wraps the XML
// response, namespace included.
func (s *ec2Service) setEbsEncryptionByDefault(c *call, p ec2Params, on bool) *APIError {
	c.Record(map[string]any{c.action + "Request": ""})
	if err := ec2DryRun(p); err != nil {
		return err
	}
	s.setEBSDefault(c.account(), c.region, on)
	c.RecordResponse(map[string]any{c.action + "Response": map[string]any{
		"xmlns": ec2Namespace, "requestId": c.requestID, "ebsEncryptionByDefault": on,
	}})
	ec2Respond(c, xmlEbsEncryptionByDefaultResponse{RequestID: c.requestID, EbsEncryptionByDefault: on})
	return nil
}
