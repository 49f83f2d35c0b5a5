package iam

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/rectifyhq/rectify/internal/awserr"
	"github.com/rectifyhq/rectify/internal/kind"
	"github.com/rectifyhq/rectify/internal/resource"
)

// DeleteLoginProfile deletes an IAM user's console password (FSBP IAM.8,
// IAM.22: a password not used for longer than the control allows). There
// is no turning a password off: deleting it is the only fix IAM offers,
// and IAM never reveals a password, so nothing can put it back.
var DeleteLoginProfile = &kind.Action{
	Name:        "iam_delete_login_profile",
	Permissions: []string{"iam:GetLoginProfile", "iam:DeleteLoginProfile"},
	Describe: func(params map[string]any) string {
		user, _ := params["user"].(string)
		if user == "" {
			user = "the user"
		}
		return fmt.Sprintf("delete the console password (login profile) of IAM user %s", user)
	},
	Snapshot: snapshotLoginProfile,
	Apply:    deleteLoginProfile,
	UndoNote: "a deleted console password cannot be restored: IAM never reveals a password, so an undo has nothing to set back. " +
		"An administrator gives the user a new one (aws iam create-login-profile --password-reset-required) if they still need the console, " +
		"and tags the user exempt (or adds a config exemption) so that it is not deleted again",
}

// loginProfileTarget checks the params against the user the ref names.
func loginProfileTarget(ref resource.Ref, params map[string]any) error {
	if ref.Type != TypeUser {
		return awserr.Permanent(awserr.InvalidParams, "iam_delete_login_profile on %s: only IAM users have console passwords", ref.ARN)
	}
	if u, ok := params["user"].(string); ok && u != ref.ID {
		return awserr.Permanent(awserr.InvalidParams, "iam_delete_login_profile on %s: params.user %s is not the resource's user %s", ref.ARN, u, ref.ID)
	}
	return nil
}

// loginProfileSnapshot records, for audit, the password that was deleted:
// when it was made and whether it had to be changed at next sign-in. It
// cannot restore it.
type loginProfileSnapshot struct {
	User                  string     `json:"user"`
	Exists                bool       `json:"exists"`
	CreateDate            *time.Time `json:"create_date,omitempty"`
	PasswordResetRequired bool       `json:"password_reset_required,omitempty"`
}

func snapshotLoginProfile(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (any, error) {
	if err := loginProfileTarget(ref, params); err != nil {
		return nil, err
	}
	lp, err := loginProfile(ctx, env.AWS.IAM(ref.Account, ref.Region), ref.ID)
	if err != nil {
		return nil, awserr.Wrap(ctx, "get the login profile of IAM user "+ref.ID, err)
	}
	snap := loginProfileSnapshot{User: ref.ID}
	if lp != nil {
		snap.Exists, snap.CreateDate, snap.PasswordResetRequired = true, lp.CreateDate, lp.PasswordResetRequired
	}
	return snap, nil
}

func deleteLoginProfile(ctx context.Context, env kind.Env, ref resource.Ref, params map[string]any) (kind.Applied, error) {
	if err := loginProfileTarget(ref, params); err != nil {
		return kind.Applied{}, err
	}
	client := env.AWS.IAM(ref.Account, ref.Region)
	_, err := client.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String(ref.ID)})
	if awserr.Code(err) == "NoSuchEntity" {
		// No password (or no user): what the fix wants, and a retried
		// apply after the first one deleted it lands here.
		return kind.Applied{Summary: "IAM user " + ref.ID + " has no console password"}, nil
	}
	if err != nil {
		return kind.Applied{}, awserr.Wrap(ctx, "delete the login profile of IAM user "+ref.ID, err)
	}
	return kind.Applied{Changed: true, Summary: "deleted the console password of IAM user " + ref.ID}, nil
}
