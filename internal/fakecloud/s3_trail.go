package fakecloud

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// s3TrailHeaders are the request headers S3 copies into requestParameters.
var s3TrailHeaders = append([]string{"x-amz-acl"}, aclGrantHeaders...)

// record sets the call's CloudTrail requestParameters the way S3 writes
// them for management events: every query parameter as a string (so a
// subresource appears as "policy": ""), bucketName, Host, the ACL headers,
// and extra, which holds the request body converted to JSON under its root
// element's name ("PublicAccessBlockConfiguration": {...}).
//
// Handlers call it twice for a mutating call: handle calls it with no body
// before anything can fail, so a rejected body is still logged, and the
// handler calls it again once the body parses.
func (s *s3Service) record(c *call, t s3Target, extra map[string]any) {
	p := map[string]any{"Host": s3TrailHost(t, c.region)}
	if t.bucket != "" {
		p["bucketName"] = t.bucket
	}
	for k, v := range c.r.URL.Query() {
		// x-id is the SDK's operation hint and X-Amz-* are presigning
		// parameters: neither is part of the request S3 logs.
		if k == "x-id" || strings.HasPrefix(strings.ToLower(k), "x-amz-") || len(v) == 0 {
			continue
		}
		p[k] = v[0]
	}
	for _, h := range s3TrailHeaders {
		if v := c.r.Header.Get(h); v != "" {
			p[h] = v
		}
	}
	for k, v := range extra {
		p[k] = v
	}
	c.Record(p)
}

// s3TrailHost is the Host S3 logs: the AWS endpoint the same request would
// have used in the signing region, virtual-hosted or path style as sent.
// The fake's own host and port mean nothing to a consumer of the event.
func s3TrailHost(t s3Target, region string) string {
	if t.virtual {
		return t.bucket + ".s3." + region + ".amazonaws.com"
	}
	return "s3." + region + ".amazonaws.com"
}

// s3TrailBooleans are the elements CloudTrail writes as JSON booleans; all
// other text stays a string (a tag value "true" is still a string).
var s3TrailBooleans = map[string]bool{
	"BlockPublicAcls":       true,
	"IgnorePublicAcls":      true,
	"BlockPublicPolicy":     true,
	"RestrictPublicBuckets": true,
	"BucketKeyEnabled":      true,
}

// s3MaxXMLDepth bounds nesting; S3's deepest document here is 5 levels.
const s3MaxXMLDepth = 32

var errXMLShape = errors.New("xml: malformed document")

// s3TrailBody converts an XML request body to the JSON CloudTrail logs:
// {"Root": {...}}. Attributes keep their prefixed names ("xmlns",
// "xmlns:xsi", "xsi:type"), a child element becomes a key, a repeated
// child becomes an array, and a leaf becomes its text. It reads raw tokens
// so prefixes are not resolved to namespace URLs.
func s3TrailBody(body []byte) (map[string]any, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return nil, errXMLShape
		}
		switch t := tok.(type) {
		case xml.StartElement:
			v, err := s3TrailElement(d, t.Copy(), 1)
			if err != nil {
				return nil, err
			}
			return map[string]any{s3QName(t.Name): v}, nil
		case xml.EndElement:
			return nil, errXMLShape
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, errXMLShape
			}
		}
	}
}

func s3TrailElement(d *xml.Decoder, start xml.StartElement, depth int) (any, error) {
	if depth > s3MaxXMLDepth {
		return nil, errXMLShape
	}
	m := map[string]any{}
	for _, a := range start.Attr {
		m[s3QName(a.Name)] = a.Value
	}
	repeated := map[string]bool{}
	children := false
	var text strings.Builder
	for {
		tok, err := d.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, errXMLShape
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			children = true
			v, err := s3TrailElement(d, t.Copy(), depth+1)
			if err != nil {
				return nil, err
			}
			name := s3QName(t.Name)
			prev, seen := m[name]
			switch {
			case !seen:
				m[name] = v
			case repeated[name]:
				m[name] = append(prev.([]any), v)
			default:
				m[name] = []any{prev, v}
				repeated[name] = true
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if t.Name != start.Name {
				return nil, errXMLShape
			}
			if children || len(m) > 0 {
				return m, nil
			}
			s := strings.TrimSpace(text.String())
			if s3TrailBooleans[start.Name.Local] {
				switch s {
				case "true":
					return true, nil
				case "false":
					return false, nil
				}
			}
			return s, nil
		}
	}
}

func s3QName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// parseS3XML decodes an S3 request document into v and its CloudTrail form.
// Any failure, including a wrong root element, is MalformedXML, as S3
// answers for a body it cannot read.
func parseS3XML(body []byte, v any) (map[string]any, *APIError) {
	trail, err := s3TrailBody(body)
	if err != nil {
		return nil, s3MalformedXML()
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return nil, s3MalformedXML()
	}
	return trail, nil
}
