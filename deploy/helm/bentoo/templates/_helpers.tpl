{{/* The chart's name, at most 63 characters. */}}
{{- define "bentoo.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's resource name: the release name, with the chart's appended unless it already holds it. */}}
{{- define "bentoo.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels that select the release's pods. */}}
{{- define "bentoo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bentoo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of every resource of the release. */}}
{{- define "bentoo.labels" -}}
{{ include "bentoo.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The Secret this chart writes (URLs and the admin token given as values). */}}
{{- define "bentoo.secretName" -}}
{{- include "bentoo.fullname" . -}}
{{- end -}}

{{/* Whether the chart writes its own Secret. */}}
{{- define "bentoo.ownSecret" -}}
{{- if or .Values.database.url .Values.redis.url .Values.adminToken.value -}}true{{- end -}}
{{- end -}}

{{/* The probes' scheme: HTTPS when the pods serve TLS themselves, else HTTP. */}}
{{- define "bentoo.scheme" -}}
{{- if .Values.tls.secretName -}}HTTPS{{- else -}}HTTP{{- end -}}
{{- end -}}

{{/*
An environment entry read from a Secret: the chart's own when the value is given, else
the named existing one. Arguments: the variable, the values block, the chart-Secret key, the root context.
*/}}
{{- define "bentoo.secretEnv" -}}
{{- $variable := index . 0 -}}
{{- $block := index . 1 -}}
{{- $key := index . 2 -}}
{{- $root := index . 3 -}}
{{- if or $block.url $block.value -}}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ include "bentoo.secretName" $root }}
      key: {{ $key }}
{{- else if $block.existingSecret.name -}}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ $block.existingSecret.name }}
      key: {{ $block.existingSecret.key }}
{{- end -}}
{{- end -}}

{{/* Stops the rendering with a message saying what to set when the values cannot work. */}}
{{- define "bentoo.validate" -}}
{{- if not (or .Values.database.url .Values.database.existingSecret.name) -}}
{{- fail "set database.url (postgres://user:password@host:5432/database) or database.existingSecret.name: Bentoo's replicas share accounts, keys, balances and the audit log through PostgreSQL" -}}
{{- end -}}
{{- if and .Values.database.url (not (hasPrefix "postgres" .Values.database.url)) -}}
{{- fail "database.url must be a postgres:// or postgresql:// URL: an SQLite file in a pod is not shared between replicas, nor kept when the pod goes" -}}
{{- end -}}
{{- if not (or .Values.redis.url .Values.redis.existingSecret.name) -}}
{{- fail "set redis.url (redis://host:6379) or redis.existingSecret.name: rate limits, credit holds and key revocations are shared between replicas through Redis" -}}
{{- end -}}
{{- if and .Values.adminToken.value (lt (len .Values.adminToken.value) 16) -}}
{{- fail "adminToken.value must be at least 16 characters; generate one with: openssl rand -hex 32" -}}
{{- end -}}
{{- if not (or .Values.trustedProxies .Values.tls.secretName) -}}
{{- fail "set trustedProxies (the ingress controller's addresses or CIDR blocks) or tls.secretName: Bentoo serves plain HTTP off loopback only behind a declared TLS-terminating proxy" -}}
{{- end -}}
{{- end -}}
