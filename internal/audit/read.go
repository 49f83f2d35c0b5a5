package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Reader reads the audit trail back from S3.
type Reader struct {
	S3     *s3.Client
	Bucket string
	Prefix string
	// Parallel is how many objects are read at once (default 32): one GET
	// per record, so a quarter's trail is thousands of small reads.
	Parallel int
}

// Unreadable is a stored object that is not a record rectify can read: it
// is reported, never silently left out.
type Unreadable struct {
	Key string `json:"key"`
	Err string `json:"error"`
}

// Read returns every record from since on, sorted by violation and index,
// and the objects under the prefix that are not readable records. It
// lists only the days from since's on (keys start with the day).
func (r Reader) Read(ctx context.Context, since time.Time) ([]Record, []Unreadable, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	parallel := r.Parallel
	if parallel <= 0 {
		parallel = 32
	}
	// The SDK keeps 10 idle connections per host; more readers than that
	// would open and close a connection per GET.
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConnsPerHost = parallel
	})
	withPool := func(o *s3.Options) { o.HTTPClient = httpClient }
	keys := make(chan string, 4*parallel)
	var (
		mu      sync.Mutex
		records []Record
		bad     []Unreadable
		failed  error
		wg      sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if failed == nil {
			failed = err
			cancel()
		}
		mu.Unlock()
	}
	for range parallel {
		wg.Go(func() {
			for key := range keys {
				rec, err := r.get(ctx, key, withPool)
				var unreadable *unreadableError
				switch {
				case errors.As(err, &unreadable):
					mu.Lock()
					bad = append(bad, Unreadable{Key: key, Err: unreadable.Error()})
					mu.Unlock()
				case err != nil:
					fail(err)
				case !rec.Time.Before(since):
					mu.Lock()
					records = append(records, rec)
					mu.Unlock()
				}
			}
		})
	}
	listErr := r.list(ctx, since, keys, withPool)
	close(keys)
	wg.Wait()
	if listErr != nil {
		return nil, nil, listErr
	}
	if failed != nil {
		return nil, nil, failed
	}
	Sort(records)
	return records, bad, nil
}

// list sends the keys of the days from since's on.
func (r Reader) list(ctx context.Context, since time.Time, keys chan<- string, opts ...func(*s3.Options)) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(r.Bucket), Prefix: aws.String(JoinPrefix(r.Prefix, ""))}
	if !since.IsZero() {
		// Keys start with the day, so every key of since's day and later
		// sorts after this one, and every earlier day's before it.
		in.StartAfter = aws.String(JoinPrefix(r.Prefix, since.UTC().Format("2006/01/02")))
	}
	pages := s3.NewListObjectsV2Paginator(r.S3, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx, opts...)
		if err != nil {
			return fmt.Errorf("list audit records in s3://%s/%s: %w", r.Bucket, JoinPrefix(r.Prefix, ""), err)
		}
		for _, o := range page.Contents {
			select {
			case keys <- aws.ToString(o.Key):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

type unreadableError struct{ err error }

func (e *unreadableError) Error() string { return e.err.Error() }

func (r Reader) get(ctx context.Context, key string, opts ...func(*s3.Options)) (Record, error) {
	out, err := r.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(r.Bucket), Key: aws.String(key)}, opts...)
	if err != nil {
		return Record{}, fmt.Errorf("read audit record s3://%s/%s: %w", r.Bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
	if err != nil {
		return Record{}, fmt.Errorf("read audit record s3://%s/%s: %w", r.Bucket, key, err)
	}
	rec, err := Parse(key, b)
	if err != nil {
		return Record{}, &unreadableError{err}
	}
	return rec, nil
}
