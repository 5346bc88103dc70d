{{/* Names and labels, written once. */}}
{{- define "corral.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "corral.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* "<fullname>-<role>", e.g. corral-waiting-room. Call with (dict "root" $ "role" "api"). */}}
{{- define "corral.roleName" -}}
{{- printf "%s-%s" (include "corral.fullname" .root) .role | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "corral.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "corral.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one role. Call with (dict "root" $ "role" "api"). */}}
{{- define "corral.selectorLabels" -}}
app.kubernetes.io/name: {{ include "corral.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "corral.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "corral.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "corral.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "corral.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-secrets" (include "corral.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The role's port variable: api → API_PORT, waiting-room → WAITING_ROOM_PORT. */}}
{{- define "corral.portVariable" -}}
{{- printf "%s_PORT" (.role | upper | replace "-" "_") -}}
{{- end -}}

{{/* REDIS_URL from host, port and TLS (on a cluster: the seed node, e.g. the configuration endpoint). */}}
{{- define "corral.redisUrl" -}}
{{- printf "%s://%s:%v" (ternary "rediss" "redis" .Values.redis.tls) .Values.redis.host .Values.redis.port -}}
{{- end -}}

{{/* The three secrets, the optional SMTP_URL (the notifier's) and extraEnv, as env entries. */}}
{{- define "corral.secretEnv" -}}
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ include "corral.secretName" . }}, key: DATABASE_URL } }
- name: PASS_SIGNING_JWKS
  valueFrom: { secretKeyRef: { name: {{ include "corral.secretName" . }}, key: PASS_SIGNING_JWKS } }
- name: VISITOR_COOKIE_SECRET
  valueFrom: { secretKeyRef: { name: {{ include "corral.secretName" . }}, key: VISITOR_COOKIE_SECRET } }
- name: SMTP_URL
  valueFrom: { secretKeyRef: { name: {{ include "corral.secretName" . }}, key: SMTP_URL, optional: true } }
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Environment of every role: the ConfigMap, then the secrets, then tracing when on.
Call with (dict "root" $ "role" "api"). */}}
{{- define "corral.env" -}}
{{- $root := .root -}}
envFrom:
  - configMapRef:
      name: {{ include "corral.fullname" $root }}-config
env:
  {{- include "corral.secretEnv" $root | nindent 2 }}
  {{- if $root.Values.tracing.enabled }}
  # dd-trace must load before the app's modules to instrument them (ESM needs --import).
  - name: NODE_OPTIONS
    value: "--import dd-trace/initialize.mjs"
  - name: DD_AGENT_HOST
    valueFrom: { fieldRef: { fieldPath: status.hostIP } }
  - name: DD_TRACE_AGENT_PORT
    value: {{ $root.Values.tracing.agentPort | quote }}
  - name: DD_SERVICE
    value: {{ printf "corral-%s" .role | quote }}
  - name: DD_ENV
    value: {{ $root.Values.tracing.env | quote }}
  - name: DD_VERSION
    value: {{ default $root.Chart.AppVersion $root.Values.image.tag | quote }}
  - name: DD_LOGS_INJECTION
    value: "true"
  {{- with $root.Values.tracing.sampleRate }}
  - name: DD_TRACE_SAMPLE_RATE
    value: {{ . | quote }}
  {{- end }}
  {{- end }}
{{- end -}}

{{/* BullMQ wait-list keys the worker ScaledObject watches: one per partition queue, plus the
headline queue. Must match partitionPrefix/headlinePrefix in booking/booking-queues.ts
("{<prefix>bk-p<N>}" and "{<prefix>bk-headline}", queue name "booking"). */}}
{{- define "corral.bookingWaitLists" -}}
{{- $prefix := .Values.booking.keyPrefix -}}
{{- range $partition := until (int .Values.booking.partitions) }}
- name: p{{ $partition }}
  key: {{ printf "{%sbk-p%d}:booking:wait" $prefix $partition | quote }}
{{- end }}
{{- range $partition := until (int .Values.booking.headlinePartitions) }}
- name: h{{ $partition }}
  key: {{ printf "{%sbk-headline-%d}:booking:wait" $prefix $partition | quote }}
{{- end }}
{{- end -}}

{{/* The non-secret configuration: the ConfigMap's data, and the migrate hook's env (a pre-install
hook runs before the ConfigMap exists). */}}
{{- define "corral.configData" -}}
NODE_ENV: {{ .Values.nodeEnv | quote }}
LOG_LEVEL: {{ .Values.logLevel | quote }}
HOST: "0.0.0.0"
{{- range $role, $spec := .Values.roles }}
{{ include "corral.portVariable" (dict "role" $role) }}: {{ $spec.port | quote }}
{{- end }}
REDIS_URL: {{ include "corral.redisUrl" . | quote }}
REDIS_CLUSTER: {{ .Values.redis.cluster | quote }}
DYNAMODB_ENDPOINT: {{ .Values.dynamodb.endpoint | quote }}
DYNAMODB_TABLE_PREFIX: {{ .Values.dynamodb.tablePrefix | quote }}
AWS_REGION: {{ .Values.awsRegion | quote }}
KAFKA_BROKERS: {{ .Values.kafka.brokers | quote }}
KAFKA_CLIENT_ID: {{ .Values.kafka.clientId | quote }}
OPENSEARCH_URL: {{ .Values.opensearch.url | quote }}
PASS_ISSUER: {{ .Values.pass.issuer | quote }}
# The api verifies passes against the admission role's published keys (cached, refetched on an unknown kid).
PASS_JWKS_URL: {{ printf "http://%s:%v/.well-known/jwks.json" (include "corral.roleName" (dict "root" . "role" "admission")) (index .Values.roles "admission").port | quote }}
WEB_ORIGIN: {{ .Values.publicUrls.web | quote }}
PUBLIC_WAITING_ROOM_URL: {{ .Values.publicUrls.waitingRoom | quote }}
PUBLIC_ADMISSION_URL: {{ .Values.publicUrls.admission | quote }}
ADMISSION_TICK_MS: {{ .Values.admission.tickMs | quote }}
ADMISSION_LEASE_TTL_MS: {{ .Values.admission.leaseTtlMs | quote }}
BOOKING_PARTITIONS: {{ .Values.booking.partitions | quote }}
BOOKING_HEADLINE_PARTITIONS: {{ .Values.booking.headlinePartitions | quote }}
BOOKING_WORKER_CONCURRENCY: {{ .Values.booking.workerConcurrency | quote }}
BOOKING_KEY_PREFIX: {{ .Values.booking.keyPrefix | quote }}
HOLD_TTL_SECONDS: {{ .Values.booking.holdTtlSeconds | quote }}
MAX_SEATS_PER_HOLD: {{ .Values.booking.maxSeatsPerHold | quote }}
MAX_SEATS_PER_FAN: {{ .Values.booking.maxSeatsPerFan | quote }}
{{- end -}}

{{/* "true" when the role rolls out as an Argo Rollouts canary, "" otherwise. Call with (dict "root" $ "role" "api"). */}}
{{- define "corral.canary" -}}
{{- $canary := .root.Values.canary | default dict -}}
{{- if and $canary.enabled (has .role $canary.roles) -}}true{{- end -}}
{{- end -}}

{{/* The canary strategy of a Rollout: canary.weights with a pause after each, then 100 %; the
  error-rate analysis runs in the background from the first step and aborts (rolls back) on failure.
  Call with (dict "root" $ "role" "api"). */}}
{{- define "corral.canaryStrategy" -}}
{{- $canary := .root.Values.canary -}}
canary:
  maxUnavailable: 0
  maxSurge: 25%
  steps:
    {{- range $weight := $canary.weights }}
    - setWeight: {{ $weight }}
    - pause: { duration: {{ $canary.pause }} }
    {{- end }}
  analysis:
    templates:
      - templateName: {{ include "corral.fullname" .root }}-error-rate
    startingStep: 1
    args:
      - name: role
        value: {{ .role }}
      - name: canary-hash
        valueFrom:
          podTemplateHashValue: Latest
{{- end -}}
