package fakecloud

import "net/http"

// ec2Service: placeholder until the EC2 emulation lands.
type ec2Service struct{ cloud *Cloud }

func newEC2Service(c *Cloud) *ec2Service { return &ec2Service{cloud: c} }

func (s *ec2Service) eventSource() string { return "ec2.amazonaws.com" }
func (s *ec2Service) route(r *http.Request, body []byte) (string, *APIError) {
	return "", errorf("InvalidAction", "not built yet")
}
func (s *ec2Service) handle(c *call) *APIError          { return errorf("InvalidAction", "not built yet") }
func (s *ec2Service) writeError(c *call, err *APIError) { http.Error(c.w, err.Error(), err.Status) }
func (s *ec2Service) authError(key string) *APIError    { return errorf("AuthFailure", "unknown key") }
func (s *ec2Service) deniedError(c *call) *APIError     { return errorf("UnauthorizedOperation", "denied") }

// SeedSecurityGroup creates a security group without emitting events.
func (c *Cloud) SeedSecurityGroup(account string, sg SecurityGroupSeed) (string, error) {
	return "", errorf("InvalidAction", "not built yet")
}
