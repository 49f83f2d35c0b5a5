package fakecloud

import (
	"fmt"
	"net/http"
	"regexp"
	"time"
)

// The configuration recorder and delivery channel of each account and
// region, as AWS Config's recorder API shows them: at most one
// customer-managed recorder and one delivery channel per region; a
// recorder starts only with a channel, a channel is made only beside a
// recorder, and the last channel of a running recorder cannot be deleted.
// The recorder's state is what FSBP Config.1 judges; it does not gate the
// fake's history (config.go records every account), and the delivery
// bucket is not checked against S3 nor written to: the fake delivers
// nothing.
type cfgRecorder struct {
	name, roleARN        string
	allSupported, global bool
	recording            bool
	lastStart, lastStop  time.Time
	lastStatusChange     time.Time
}

type cfgChannel struct {
	name, bucket, prefix string
}

type cfgRegionState struct {
	recorder *cfgRecorder
	channel  *cfgChannel
}

// cfgName is the model's constraint on recorder and channel names.
var cfgName = regexp.MustCompile(`^.{1,256}$`)

func (s *configService) regionState(account, region string) *cfgRegionState {
	k := ec2Key{account, region}
	st := s.recorders[k]
	if st == nil {
		st = &cfgRegionState{}
		s.recorders[k] = st
	}
	return st
}

func (r *cfgRecorder) arn(account, region string) string {
	return fmt.Sprintf("arn:aws:config:%s:%s:configuration-recorder/%s", region, account, r.name)
}

func (s *configService) reply(c *call, v any) { c.writeJSON(http.StatusOK, configContentType, v) }

func configNoRecorder(name string) *APIError {
	return errorf("NoSuchConfigurationRecorderException", "Cannot find configuration recorder with the specified name '%s'.", name)
}

func (s *configService) describeConfigurationRecorders(c *call) *APIError {
	var in struct {
		ConfigurationRecorderNames []string `json:"ConfigurationRecorderNames"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.regionState(c.account(), c.region).recorder
	for _, n := range in.ConfigurationRecorderNames {
		if r == nil || r.name != n {
			return configNoRecorder(n)
		}
	}
	out := []any{}
	if r != nil {
		out = append(out, map[string]any{
			"arn": r.arn(c.account(), c.region), "name": r.name, "roleARN": r.roleARN,
			"recordingGroup": map[string]any{"allSupported": r.allSupported, "includeGlobalResourceTypes": r.global, "resourceTypes": []string{}},
			"recordingMode":  map[string]any{"recordingFrequency": "CONTINUOUS"},
		})
	}
	s.reply(c, map[string]any{"ConfigurationRecorders": out})
	return nil
}

func (s *configService) describeConfigurationRecorderStatus(c *call) *APIError {
	var in struct {
		ConfigurationRecorderNames []string `json:"ConfigurationRecorderNames"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.regionState(c.account(), c.region).recorder
	for _, n := range in.ConfigurationRecorderNames {
		if r == nil || r.name != n {
			return configNoRecorder(n)
		}
	}
	out := []any{}
	if r != nil {
		st := map[string]any{"arn": r.arn(c.account(), c.region), "name": r.name, "recording": r.recording, "lastStatus": "Pending"}
		if !r.lastStart.IsZero() {
			st["lastStartTime"] = epochSeconds(r.lastStart)
			st["lastStatus"] = "Success"
		}
		if !r.lastStop.IsZero() {
			st["lastStopTime"] = epochSeconds(r.lastStop)
		}
		if !r.lastStatusChange.IsZero() {
			st["lastStatusChangeTime"] = epochSeconds(r.lastStatusChange)
		}
		out = append(out, st)
	}
	s.reply(c, map[string]any{"ConfigurationRecordersStatus": out})
	return nil
}

func (s *configService) putConfigurationRecorder(c *call) *APIError {
	var in struct {
		ConfigurationRecorder *struct {
			Name           string `json:"name"`
			RoleARN        string `json:"roleARN"`
			RecordingGroup *struct {
				AllSupported               *bool `json:"allSupported"`
				IncludeGlobalResourceTypes bool  `json:"includeGlobalResourceTypes"`
			} `json:"recordingGroup"`
		} `json:"ConfigurationRecorder"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	if in.ConfigurationRecorder == nil {
		c.Record(map[string]any{})
		return configValidation("Value null at 'configurationRecorder' failed to satisfy constraint: Member must not be null")
	}
	in2 := in.ConfigurationRecorder
	c.Record(map[string]any{"configurationRecorder": map[string]any{"name": in2.Name, "roleARN": in2.RoleARN}})
	name := in2.Name
	if name == "" {
		name = "default"
	}
	switch {
	case !cfgName.MatchString(name):
		return configValidation("Value '%s' at 'configurationRecorder.name' failed to satisfy constraint: Member must have length less than or equal to 256", name)
	case in2.RoleARN == "":
		return errorf("InvalidRoleException", "The role ARN is not valid: it must not be empty.")
	}
	allSupported, global := true, false
	if g := in2.RecordingGroup; g != nil {
		if g.AllSupported != nil {
			allSupported = *g.AllSupported
		}
		global = g.IncludeGlobalResourceTypes
	}
	s.mu.Lock()
	st := s.regionState(c.account(), c.region)
	var err *APIError
	switch r := st.recorder; {
	case r != nil && r.name != name:
		err = errorf("MaxNumberOfConfigurationRecordersExceededException",
			"Failed to put configuration recorder '%s' because the maximum number of configuration recorders: 1 is reached.", name)
	case r != nil:
		r.roleARN, r.allSupported, r.global = in2.RoleARN, allSupported, global
	default:
		st.recorder = &cfgRecorder{name: name, roleARN: in2.RoleARN, allSupported: allSupported, global: global}
	}
	var arn string
	if err == nil {
		arn = st.recorder.arn(c.account(), c.region)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	c.RecordResources(arn)
	s.reply(c, map[string]any{})
	return nil
}

// setRecording starts or stops the named recorder: Start, Stop.
func (s *configService) setRecording(c *call, on bool) *APIError {
	var in struct {
		Name string `json:"ConfigurationRecorderName"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"configurationRecorderName": in.Name})
	if in.Name == "" {
		return configValidation("Value null at 'configurationRecorderName' failed to satisfy constraint: Member must not be null")
	}
	s.mu.Lock()
	st := s.regionState(c.account(), c.region)
	r := st.recorder
	var err *APIError
	switch {
	case r == nil || r.name != in.Name:
		err = configNoRecorder(in.Name)
	case on && st.channel == nil:
		err = errorf("NoAvailableDeliveryChannelException", "Delivery channel is not available to start configuration recorder.")
	default:
		now := s.cloud.now()
		if r.recording != on {
			r.lastStatusChange = now
		}
		r.recording = on
		if on {
			r.lastStart = now
		} else {
			r.lastStop = now
		}
	}
	var arn string
	if err == nil {
		arn = r.arn(c.account(), c.region)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	c.RecordResources(arn)
	s.reply(c, map[string]any{})
	return nil
}

func (s *configService) startConfigurationRecorder(c *call) *APIError { return s.setRecording(c, true) }
func (s *configService) stopConfigurationRecorder(c *call) *APIError  { return s.setRecording(c, false) }

func (s *configService) deleteConfigurationRecorder(c *call) *APIError {
	var in struct {
		Name string `json:"ConfigurationRecorderName"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"configurationRecorderName": in.Name})
	s.mu.Lock()
	st := s.regionState(c.account(), c.region)
	r := st.recorder
	if r == nil || r.name != in.Name {
		s.mu.Unlock()
		return configNoRecorder(in.Name)
	}
	st.recorder = nil
	s.mu.Unlock()
	c.RecordResources(r.arn(c.account(), c.region))
	s.reply(c, map[string]any{})
	return nil
}

func (s *configService) describeDeliveryChannels(c *call) *APIError {
	var in struct {
		Names []string `json:"DeliveryChannelNames"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.regionState(c.account(), c.region).channel
	for _, n := range in.Names {
		if ch == nil || ch.name != n {
			return errorf("NoSuchDeliveryChannelException", "Cannot find delivery channel with specified name '%s'.", n)
		}
	}
	out := []any{}
	if ch != nil {
		d := map[string]any{"name": ch.name, "s3BucketName": ch.bucket}
		if ch.prefix != "" {
			d["s3KeyPrefix"] = ch.prefix
		}
		out = append(out, d)
	}
	s.reply(c, map[string]any{"DeliveryChannels": out})
	return nil
}

func (s *configService) putDeliveryChannel(c *call) *APIError {
	var in struct {
		DeliveryChannel *struct {
			Name         string `json:"name"`
			S3BucketName string `json:"s3BucketName"`
			S3KeyPrefix  string `json:"s3KeyPrefix"`
		} `json:"DeliveryChannel"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	if in.DeliveryChannel == nil {
		c.Record(map[string]any{})
		return configValidation("Value null at 'deliveryChannel' failed to satisfy constraint: Member must not be null")
	}
	d := in.DeliveryChannel
	c.Record(map[string]any{"deliveryChannel": map[string]any{"name": d.Name, "s3BucketName": d.S3BucketName}})
	name := d.Name
	if name == "" {
		name = "default"
	}
	if d.S3BucketName == "" {
		return errorf("NoSuchBucketException", "Cannot find a S3 bucket with an empty bucket name.")
	}
	s.mu.Lock()
	st := s.regionState(c.account(), c.region)
	var err *APIError
	switch {
	case st.recorder == nil:
		err = errorf("NoAvailableConfigurationRecorderException", "Configuration recorder is not available to put delivery channel.")
	case st.channel != nil && st.channel.name != name:
		err = errorf("MaxNumberOfDeliveryChannelsExceededException",
			"Failed to put delivery channel '%s' because the maximum number of delivery channels: 1 is reached.", name)
	default:
		st.channel = &cfgChannel{name: name, bucket: d.S3BucketName, prefix: d.S3KeyPrefix}
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.reply(c, map[string]any{})
	return nil
}

func (s *configService) deleteDeliveryChannel(c *call) *APIError {
	var in struct {
		Name string `json:"DeliveryChannelName"`
	}
	if err := decodeJSON11(c, &in); err != nil {
		return err
	}
	c.Record(map[string]any{"deliveryChannelName": in.Name})
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.regionState(c.account(), c.region)
	switch {
	case st.channel == nil || st.channel.name != in.Name:
		return errorf("NoSuchDeliveryChannelException", "Cannot find delivery channel with specified name '%s'.", in.Name)
	case st.recorder != nil && st.recorder.recording:
		return errorf("LastDeliveryChannelDeleteFailedException",
			"Failed to delete last specified delivery channel with name '%s', because there is a running configuration recorder.", in.Name)
	}
	st.channel = nil
	s.reply(c, map[string]any{})
	return nil
}

// RecorderSeed is a region's AWS Config recorder and its delivery channel.
type RecorderSeed struct {
	Region    string `yaml:"region"`
	Name      string `yaml:"name"`      // "default" when empty
	RoleARN   string `yaml:"role_arn"`  // a role of the account when empty
	Bucket    string `yaml:"bucket"`    // the delivery channel's; none when empty
	Recording bool   `yaml:"recording"` // needs Bucket, as in AWS
}

// SeedRecorder makes a region's recorder (and channel) without CloudTrail
// events.
func (c *Cloud) SeedRecorder(account string, seed RecorderSeed) error {
	if seed.Region == "" {
		seed.Region = DefaultRegion
	}
	if seed.Name == "" {
		seed.Name = "default"
	}
	if seed.RoleARN == "" {
		seed.RoleARN = "arn:aws:iam::" + account + ":role/aws-config-role"
	}
	if seed.Recording && seed.Bucket == "" {
		return fmt.Errorf("config recorder %s in %s: a recording recorder needs a delivery channel (bucket)", seed.Name, seed.Region)
	}
	s := c.config
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.regionState(account, seed.Region)
	if st.recorder != nil {
		return fmt.Errorf("config recorder in %s: the region has one already", seed.Region)
	}
	now := c.now()
	st.recorder = &cfgRecorder{name: seed.Name, roleARN: seed.RoleARN, allSupported: true, global: true, recording: seed.Recording}
	if seed.Recording {
		st.recorder.lastStart, st.recorder.lastStatusChange = now, now
	}
	if seed.Bucket != "" {
		st.channel = &cfgChannel{name: "default", bucket: seed.Bucket}
	}
	return nil
}

// ConfigRecorder reports the region's recorder, for tests: its name
// (empty when none), whether it records, and its delivery channel's
// bucket (empty when none).
func (c *Cloud) ConfigRecorder(account, region string) (name string, recording bool, bucket string) {
	s := c.config
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.regionState(account, region)
	if st.channel != nil {
		bucket = st.channel.bucket
	}
	if st.recorder == nil {
		return "", false, bucket
	}
	return st.recorder.name, st.recorder.recording, bucket
}
