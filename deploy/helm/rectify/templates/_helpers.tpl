{{/* The chart name, or nameOverride. */}}
{{- define "rectify.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release-qualified name every object starts with. */}}
{{- define "rectify.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "rectify.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "rectify.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: rectify
{{- end }}

{{/* Selector labels of one component: (list . "worker"). */}}
{{- define "rectify.selectorLabels" -}}
{{- $ := index . 0 -}}
app.kubernetes.io/name: {{ include "rectify.name" $ }}
app.kubernetes.io/instance: {{ $.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* The service account of one component: (list . "worker"). */}}
{{- define "rectify.serviceAccountName" -}}
{{- $ := index . 0 -}}
{{- $component := index . 1 -}}
{{- $sa := index $.Values.serviceAccount $component -}}
{{- if $sa.name }}
{{- $sa.name }}
{{- else if $sa.create }}
{{- printf "%s-%s" (include "rectify.fullname" $) $component | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- "default" }}
{{- end }}
{{- end }}

{{/* The image reference: a digest pins it, else the tag or appVersion. */}}
{{- define "rectify.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Environment shared by both components: the config file and Slack's secrets. */}}
{{- define "rectify.env" -}}
{{- $ := index . 0 -}}
{{- $component := index . 1 -}}
- name: RECTIFY_CONFIG
  value: /etc/rectify/rectify.yaml
{{- if $.Values.slack.enabled }}
- name: SLACK_BOT_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ required "slack.existingSecret is required when slack.enabled" $.Values.slack.existingSecret }}
      key: {{ $.Values.slack.botTokenKey }}
{{- if eq $component "starter" }}
- name: SLACK_SIGNING_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $.Values.slack.existingSecret }}
      key: {{ $.Values.slack.signingSecretKey }}
{{- end }}
{{- end }}
{{- with (index $.Values $component).extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by both components: (list . "worker"). */}}
{{- define "rectify.podSpec" -}}
{{- $ := index . 0 -}}
{{- $component := index . 1 -}}
{{- $values := index $.Values $component -}}
serviceAccountName: {{ include "rectify.serviceAccountName" (list $ $component) }}
automountServiceAccountToken: {{ $.Values.automountServiceAccountToken }}
terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}
{{- with $.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $.Values.podSecurityContext | nindent 2 }}
{{- with $values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: config
    configMap:
      name: {{ include "rectify.fullname" $ }}
  # The root filesystem is read-only; Go and the AWS SDK may want a /tmp.
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
{{- end }}

{{/* Pod annotations: a config change rolls both Deployments. */}}
{{- define "rectify.podAnnotations" -}}
{{- $ := index . 0 -}}
{{- $values := index $.Values (index . 1) -}}
checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") $ | sha256sum }}
{{- with $values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}
