package fakecloud

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// ListObjectsV2 (GET /bucket?list-type=2): keys in UTF-8 binary order,
// filtered by prefix, after start-after or a continuation token, rolled up
// at a delimiter, at most max-keys (1000) per page. CloudTrail names the
// call ListObjects, a data event. ListObjects version 1 is not emulated.

// s3ListParams are the query parameters ListObjectsV2 takes.
var s3ListParams = []string{"list-type", "prefix", "delimiter", "max-keys", "continuation-token", "start-after", "fetch-owner", "encoding-type", "x-id"}

// routeList checks the query of a list request before any bucket is read.
func (s *s3Service) routeList(q url.Values) (string, *APIError) {
	if q.Get("list-type") != "2" {
		return "", s3Error(http.StatusBadRequest, "InvalidArgument", "Invalid List Type specified: %s", q.Get("list-type"))
	}
	for k := range q {
		if !slices.Contains(s3ListParams, k) && !strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			return "", s3NotImplemented("the ?" + k + " parameter of ListObjectsV2")
		}
	}
	return "ListObjects", nil
}

type listBucketResult struct {
	XMLName               xml.Name         `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string           `xml:"Name"`
	Prefix                string           `xml:"Prefix"`
	Delimiter             string           `xml:"Delimiter,omitempty"`
	MaxKeys               int              `xml:"MaxKeys"`
	KeyCount              int              `xml:"KeyCount"`
	IsTruncated           bool             `xml:"IsTruncated"`
	EncodingType          string           `xml:"EncodingType,omitempty"`
	ContinuationToken     string           `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string           `xml:"NextContinuationToken,omitempty"`
	StartAfter            string           `xml:"StartAfter,omitempty"`
	Contents              []s3ListEntry    `xml:"Contents"`
	CommonPrefixes        []s3CommonPrefix `xml:"CommonPrefixes"`
}

type s3ListEntry struct {
	Key          string   `xml:"Key"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	Size         int      `xml:"Size"`
	StorageClass string   `xml:"StorageClass"`
	Owner        *s3Owner `xml:"Owner,omitempty"`
}

type s3CommonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// maxListKeys is S3's page size limit (and default) for ListObjectsV2.
const maxListKeys = 1000

func (s *s3Service) listObjects(c *call, t s3Target) *APIError {
	q := c.r.URL.Query()
	limit := maxListKeys
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return s3Error(http.StatusBadRequest, "InvalidArgument", "Provided max-keys not an integer or within integer range")
		}
		limit = min(n, maxListKeys)
	}
	encoding := q.Get("encoding-type")
	if encoding != "" && encoding != "url" {
		return s3Error(http.StatusBadRequest, "InvalidArgument", "Invalid Encoding Method specified in Request")
	}
	prefix, delimiter, startAfter, token := q.Get("prefix"), q.Get("delimiter"), q.Get("start-after"), q.Get("continuation-token")
	after := startAfter
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			return s3Error(http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect")
		}
		after = string(raw)
	}

	s.mu.Lock()
	b, err := s.ownedBucket(c, t.bucket)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	keys := make([]string, 0, len(s.objects[b]))
	for k := range s.objects[b] {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys) // Go compares strings bytewise: UTF-8 binary order, as S3 lists
	out := listBucketResult{Name: b.name, Prefix: prefix, Delimiter: delimiter, MaxKeys: limit, EncodingType: encoding,
		ContinuationToken: token, StartAfter: startAfter}
	owner := &s3Owner{ID: canonicalUserID(b.owner)}
	last, lastCommon := "", ""
	for _, k := range keys {
		common := ""
		if delimiter != "" {
			if i := strings.Index(k[len(prefix):], delimiter); i >= 0 {
				common = k[:len(prefix)+i+len(delimiter)]
			}
		}
		if common != "" && common == lastCommon {
			continue // keys under one common prefix count once
		}
		if out.KeyCount == limit {
			out.IsTruncated = true
			out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(last))
			break
		}
		out.KeyCount++
		if common != "" {
			out.CommonPrefixes = append(out.CommonPrefixes, s3CommonPrefix{Prefix: encodeKey(common, encoding)})
			// The next page continues after every key under the prefix.
			lastCommon, last = common, common+"\U0010FFFF"
			continue
		}
		o := s.objects[b][k]
		e := s3ListEntry{Key: encodeKey(k, encoding), LastModified: o.modified.Format("2006-01-02T15:04:05.000Z"),
			ETag: o.etag, Size: len(o.data), StorageClass: "STANDARD"}
		if q.Get("fetch-owner") == "true" {
			e.Owner = owner
		}
		out.Contents = append(out.Contents, e)
		last = k
	}
	s.mu.Unlock()
	if encoding == "url" {
		out.Prefix, out.Delimiter, out.StartAfter = encodeKey(prefix, encoding), encodeKey(delimiter, encoding), encodeKey(startAfter, encoding)
	}
	c.writeXML(http.StatusOK, out)
	return nil
}

// encodeKey URL-encodes a key when the request asked for encoding-type=url,
// as S3 does for keys that XML 1.0 cannot carry.
func encodeKey(k, encoding string) string {
	if encoding != "url" {
		return k
	}
	return strings.ReplaceAll(url.QueryEscape(k), "%2F", "/")
}
