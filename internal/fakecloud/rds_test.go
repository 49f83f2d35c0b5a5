package fakecloud

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

func newRDS(t *testing.T) (*Cloud, *rds.Client) {
	t.Helper()
	c, cfg := startCloud(t)
	return c, rds.NewFromConfig(cfg)
}

func rdsCreate(t *testing.T, client *rds.Client, id string, public *bool, tags ...rdstypes.Tag) rdstypes.DBInstance {
	t.Helper()
	out := okEC2(client.CreateDBInstance(t.Context(), &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("postgres"), MasterUsername: aws.String("app"), MasterUserPassword: aws.String("s3cret-s3cret"),
		PubliclyAccessible: public, Tags: tags,
	}))(t)
	return *out.DBInstance
}

func TestRDSInstanceLifecycle(t *testing.T) {
	c, client := newRDS(t)
	tap := tapEvents(c)
	ctx := t.Context()

	created := rdsCreate(t, client, "Orders-DB", aws.Bool(true), rdstypes.Tag{Key: aws.String("team"), Value: aws.String("pay")})
	wantARN := "arn:aws:rds:" + DefaultRegion + ":" + DefaultAccount + ":db:orders-db"
	if aws.ToString(created.DBInstanceIdentifier) != "orders-db" || aws.ToString(created.DBInstanceArn) != wantARN ||
		!aws.ToBool(created.PubliclyAccessible) || aws.ToString(created.Engine) != "postgres" || len(created.TagList) != 1 {
		t.Fatalf("created = %+v", created)
	}
	ev := tap.last(t, "CreateDBInstance")
	req, _ := ev["requestParameters"].(map[string]any)
	if req["dBInstanceIdentifier"] != "orders-db" || req["publiclyAccessible"] != true || req["masterUserPassword"] != nil {
		t.Fatalf("CreateDBInstance requestParameters = %v", req)
	}
	if resp, _ := ev["responseElements"].(map[string]any); resp["dBInstanceArn"] != wantARN {
		t.Fatalf("CreateDBInstance responseElements = %v", resp)
	}

	// By identifier and by ARN.
	for _, ref := range []string{"orders-db", wantARN} {
		out := okEC2(client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(ref)}))(t)
		if len(out.DBInstances) != 1 || !aws.ToBool(out.DBInstances[0].PubliclyAccessible) || out.DBInstances[0].Endpoint == nil ||
			aws.ToInt32(out.DBInstances[0].Endpoint.Port) != 5432 {
			t.Fatalf("describe %s = %+v", ref, out.DBInstances)
		}
	}

	mod := okEC2(client.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String("orders-db"), PubliclyAccessible: aws.Bool(false), ApplyImmediately: aws.Bool(true),
	}))(t)
	if aws.ToBool(mod.DBInstance.PubliclyAccessible) {
		t.Fatal("ModifyDBInstance left the instance public")
	}
	if public, ok := c.DBInstancePublic(DefaultAccount, DefaultRegion, "orders-db"); !ok || public {
		t.Fatalf("state after modify: public %v exists %v", public, ok)
	}
	ev = tap.last(t, "ModifyDBInstance")
	req, _ = ev["requestParameters"].(map[string]any)
	if req["dBInstanceIdentifier"] != "orders-db" || req["publiclyAccessible"] != false || req["applyImmediately"] != true {
		t.Fatalf("ModifyDBInstance requestParameters = %v", req)
	}

	okEC2(client.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("orders-db"), SkipFinalSnapshot: aws.Bool(true)}))(t)
	_, err := client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("orders-db")})
	wantEC2Error(t, err, "DBInstanceNotFound")
	var nf *rdstypes.DBInstanceNotFoundFault
	if !errors.As(err, &nf) {
		t.Fatalf("DescribeDBInstances of a deleted instance: want the modeled DBInstanceNotFoundFault, got %T", err)
	}
}

func TestRDSDefaultsAndErrors(t *testing.T) {
	c, client := newRDS(t)
	tap := tapEvents(c)
	ctx := t.Context()

	// No subnet group: the default VPC, public unless asked otherwise.
	if d := rdsCreate(t, client, "implicit", nil); !aws.ToBool(d.PubliclyAccessible) {
		t.Fatal("an instance in the default VPC without PubliclyAccessible should be public")
	}
	if d := rdsCreate(t, client, "private", aws.Bool(false)); aws.ToBool(d.PubliclyAccessible) {
		t.Fatal("PubliclyAccessible=false was not kept")
	}

	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"duplicate identifier", func() error {
			_, err := client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("private"), DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mysql")})
			return err
		}, "DBInstanceAlreadyExists"},
		{"invalid identifier", func() error {
			_, err := client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("1bad--id"), DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mysql")})
			return err
		}, "InvalidParameterValue"},
		{"modify a missing instance", func() error {
			_, err := client.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("nope"), PubliclyAccessible: aws.Bool(false)})
			return err
		}, "DBInstanceNotFound"},
		{"delete without a final snapshot decision", func() error {
			_, err := client.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("private")})
			return err
		}, "InvalidParameterCombination"},
		{"MaxRecords below 20", func() error {
			_, err := client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(5)})
			return err
		}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantEC2Error(t, tt.call(), tt.code) })
	}
	// A failed mutating call is still written to CloudTrail, with its code.
	ev := tap.last(t, "ModifyDBInstance")
	if ev["errorCode"] != "DBInstanceNotFound" || ev["responseElements"] != nil {
		t.Fatalf("failed ModifyDBInstance event: errorCode %v responseElements %v", ev["errorCode"], ev["responseElements"])
	}
}

func TestRDSDescribePagination(t *testing.T) {
	c, client := newRDS(t)
	for i := range 45 {
		if err := c.SeedDBInstance(DefaultAccount, DBInstanceSeed{Identifier: fmt.Sprintf("db-%02d", i), Engine: "mysql"}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	pages := rds.NewDescribeDBInstancesPaginator(client, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(20)})
	n := 0
	for pages.HasMorePages() {
		page := okEC2(pages.NextPage(t.Context()))(t)
		n++
		for _, d := range page.DBInstances {
			id := aws.ToString(d.DBInstanceIdentifier)
			if seen[id] {
				t.Fatalf("%s listed twice", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != 45 || n != 3 {
		t.Fatalf("listed %d instances in %d pages, want 45 in 3", len(seen), n)
	}
}

func TestRDSTags(t *testing.T) {
	c, client := newRDS(t)
	tap := tapEvents(c)
	ctx := t.Context()
	arn := aws.ToString(rdsCreate(t, client, "tagged", aws.Bool(false), rdstypes.Tag{Key: aws.String("env"), Value: aws.String("prod")}).DBInstanceArn)

	okEC2(client.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: []rdstypes.Tag{
		{Key: aws.String("rectify:exempt"), Value: aws.String("aws.rds.public_instance")},
		{Key: aws.String("env"), Value: aws.String("staging")},
	}}))(t)
	ev := tap.last(t, "AddTagsToResource")
	if req, _ := ev["requestParameters"].(map[string]any); req["resourceName"] != arn {
		t.Fatalf("AddTagsToResource requestParameters = %v", req)
	}
	list := func() map[string]string {
		out := okEC2(client.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(arn)}))(t)
		m := map[string]string{}
		for _, tg := range out.TagList {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}
	if got := list(); len(got) != 2 || got["env"] != "staging" || got["rectify:exempt"] != "aws.rds.public_instance" {
		t.Fatalf("tags after add = %v", got)
	}
	okEC2(client.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: aws.String(arn), TagKeys: []string{"env"}}))(t)
	if got := list(); len(got) != 1 || got["env"] != "" {
		t.Fatalf("tags after remove = %v", got)
	}
	_, err := client.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(dbInstanceARN(DefaultRegion, DefaultAccount, "gone"))})
	wantEC2Error(t, err, "DBInstanceNotFound")
}

func TestRDSDenied(t *testing.T) {
	c, cfg := startCloud(t)
	c.AddUser(DefaultAccount, "reader", "AKIAREADER0000000001", "secret", "rds:ModifyDBInstance")
	if err := c.SeedDBInstance(DefaultAccount, DBInstanceSeed{Identifier: "db1", Engine: "postgres", PubliclyAccessible: true}); err != nil {
		t.Fatal(err)
	}
	cfg.Credentials = sdkConfig(c.URL(), "AKIAREADER0000000001", "secret", "").Credentials
	_, err := rds.NewFromConfig(cfg).ModifyDBInstance(t.Context(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("db1"), PubliclyAccessible: aws.Bool(false)})
	wantEC2Error(t, err, "AccessDenied")
	if public, _ := c.DBInstancePublic(DefaultAccount, DefaultRegion, "db1"); !public {
		t.Fatal("a denied ModifyDBInstance changed the instance")
	}
}
