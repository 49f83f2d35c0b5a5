package events

import "testing"

// TestParseQueueTopicRepositoryCalls: the calls that change SQS queues,
// SNS topics and ECR repositories, in the documented record shape (the
// CloudTrail pages of each service's developer guide), resolve to the
// right kind and id; a queue named only by its URL resolves by name.
func TestParseQueueTopicRepositoryCalls(t *testing.T) {
	const (
		sqsSrc = "sqs.amazonaws.com"
		qURL   = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"
	)
	type want struct {
		typ, id, arn string
		deleted      bool
	}
	queue := want{"aws_sqs_queue", "orders", "arn:aws:sqs:eu-west-1:123456789012:orders", false}
	const (
		snsSrc = "sns.amazonaws.com"
		tARN   = "arn:aws:sns:eu-west-1:123456789012:alerts"
	)
	topic := want{"aws_sns_topic", "alerts", tARN, false}
	const (
		ecrSrc = "ecr.amazonaws.com"
		rARN   = "arn:aws:ecr:eu-west-1:123456789012:repository/team/app"
	)
	repo := want{"aws_ecr_repository", "team/app", rARN, false}
	const (
		lambdaSrc = "lambda.amazonaws.com"
		fARN      = "arn:aws:lambda:eu-west-1:123456789012:function:orders"
	)
	fn := want{"aws_lambda_function", "orders", fARN, false}
	tests := []struct {
		name string
		body []byte
		want want
	}{
		{"CreateQueue", rdsRecord(sqsSrc, "CreateQueue", map[string]any{"queueName": "orders", "attributes": map[string]any{"SqsManagedSseEnabled": "false"}},
			map[string]any{"queueUrl": qURL}), queue},
		{"SetQueueAttributes by URL", rdsRecord(sqsSrc, "SetQueueAttributes", map[string]any{"queueUrl": qURL, "attributes": map[string]any{"SqsManagedSseEnabled": "false"}}, nil), queue},
		{"TagQueue", rdsRecord(sqsSrc, "TagQueue", map[string]any{"queueUrl": qURL, "tags": map[string]any{"team": "web"}}, nil), queue},
		{"UntagQueue", rdsRecord(sqsSrc, "UntagQueue", map[string]any{"queueUrl": qURL, "tagKeys": []any{"team"}}, nil), queue},
		{"DeleteQueue", rdsRecord(sqsSrc, "DeleteQueue", map[string]any{"queueUrl": qURL}, nil), want{queue.typ, queue.id, queue.arn, true}},
		{"CreateTopic", rdsRecord(snsSrc, "CreateTopic", map[string]any{"name": "alerts"}, map[string]any{"topicArn": tARN}), topic},
		{"SetTopicAttributes", rdsRecord(snsSrc, "SetTopicAttributes", map[string]any{"topicArn": tARN, "attributeName": "KmsMasterKeyId", "attributeValue": ""}, nil), topic},
		{"TagResource on a topic", rdsRecord(snsSrc, "TagResource", map[string]any{"resourceArn": tARN, "tags": []any{map[string]any{"key": "a", "value": "b"}}}, nil), topic},
		{"UntagResource on a topic", rdsRecord(snsSrc, "UntagResource", map[string]any{"resourceArn": tARN, "tagKeys": []any{"a"}}, nil), topic},
		{"DeleteTopic", rdsRecord(snsSrc, "DeleteTopic", map[string]any{"topicArn": tARN}, nil), want{topic.typ, topic.id, topic.arn, true}},
		{"CreateRepository", rdsRecord(ecrSrc, "CreateRepository", map[string]any{"repositoryName": "team/app"},
			map[string]any{"repository": map[string]any{"repositoryArn": rARN, "repositoryName": "team/app", "registryId": "123456789012"}}), repo},
		{"PutImageScanningConfiguration", rdsRecord(ecrSrc, "PutImageScanningConfiguration",
			map[string]any{"repositoryName": "team/app", "imageScanningConfiguration": map[string]any{"scanOnPush": false}}, nil), repo},
		{"TagResource on a repository", rdsRecord(ecrSrc, "TagResource", map[string]any{"resourceArn": rARN, "tags": []any{map[string]any{"key": "a", "value": "b"}}}, nil), repo},
		{"AddPermission by name", rdsRecord(lambdaSrc, "AddPermission20150331v2", map[string]any{"functionName": "orders", "statementId": "public", "action": "lambda:InvokeFunction", "principal": "*"},
			map[string]any{"statement": `{"Sid":"public","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"` + fARN + `"}`}), fn},
		{"AddPermission by ARN", rdsRecord(lambdaSrc, "AddPermission20150331v2", map[string]any{"functionName": fARN, "statementId": "public", "action": "lambda:InvokeFunction", "principal": "*"}, nil), fn},
		{"AddPermission by partial ARN", rdsRecord(lambdaSrc, "AddPermission20150331v2", map[string]any{"functionName": "123456789012:function:orders", "statementId": "public", "action": "lambda:InvokeFunction", "principal": "*"}, nil), fn},
		{"AddPermission on an alias", rdsRecord(lambdaSrc, "AddPermission20150331v2", map[string]any{"functionName": fARN + ":live", "statementId": "public", "action": "lambda:InvokeFunction", "principal": "*"}, nil), fn},
		{"RemovePermission", rdsRecord(lambdaSrc, "RemovePermission20150331v2", map[string]any{"functionName": "orders", "statementId": "public"}, nil), fn},
		{"TagResource on a function", rdsRecord(lambdaSrc, "TagResource20170331v2", map[string]any{"resource": fARN, "tags": map[string]any{"a": "b"}}, nil), fn},
		{"DeleteFunction", rdsRecord(lambdaSrc, "DeleteFunction20150331", map[string]any{"functionName": "orders"}, nil), want{fn.typ, fn.id, fn.arn, true}},
		{"DeleteRepository", rdsRecord(ecrSrc, "DeleteRepository", map[string]any{"repositoryName": "team/app", "force": true}, nil), want{repo.typ, repo.id, repo.arn, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("triggers = %+v, want 1", got)
			}
			tr, w := got[0], tt.want
			if tr.Ignored || tr.ResourceType != w.typ || tr.ResourceID != w.id || tr.ARN != w.arn || tr.Deleted != w.deleted {
				t.Errorf("trigger = %+v, want %+v", tr, w)
			}
		})
	}
}
