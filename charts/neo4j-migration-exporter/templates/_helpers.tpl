{{/* The chart's name, or nameOverride. */}}
{{- define "neo4j-migration-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The objects' name: fullnameOverride, or the release name with the chart's name unless it already holds it. */}}
{{- define "neo4j-migration-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "neo4j-migration-exporter.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "neo4j-migration-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "neo4j-migration-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "neo4j-migration-exporter.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "neo4j-migration-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "neo4j-migration-exporter.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret that holds the password, or "" when there is none. */}}
{{- define "neo4j-migration-exporter.passwordSecret" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecret }}
{{- else if .Values.auth.password }}
{{- include "neo4j-migration-exporter.fullname" . }}
{{- end }}
{{- end }}

{{/* The ConfigMap of migration files, or "" when there is none. */}}
{{- define "neo4j-migration-exporter.migrationsConfigMap" -}}
{{- if .Values.migrations.existingConfigMap }}
{{- .Values.migrations.existingConfigMap }}
{{- else if .Values.migrations.files }}
{{- printf "%s-migrations" (include "neo4j-migration-exporter.fullname" .) }}
{{- end }}
{{- end }}

{{/* Neo4j's address: neo4j.uri, or by default Neo4j's own pod (sidecar) or a Service named neo4j. */}}
{{- define "neo4j-migration-exporter.neo4jURI" -}}
{{- if .Values.neo4j.uri }}{{ .Values.neo4j.uri }}
{{- else if eq .Values.mode "sidecar" }}bolt://127.0.0.1:7687
{{- else }}bolt://neo4j:7687
{{- end }}
{{- end }}

{{- define "neo4j-migration-exporter.passwordDir" -}}/etc/neo4j-migration-exporter/auth{{- end }}
{{- define "neo4j-migration-exporter.customDir" -}}/etc/neo4j-migration-exporter/custom{{- end }}

{{/* The exporter's container, the same in both modes. */}}
{{- define "neo4j-migration-exporter.container" -}}
name: migration-exporter
image: {{ include "neo4j-migration-exporter.image" . | quote }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
args:
  - --neo4j.uri={{ include "neo4j-migration-exporter.neo4jURI" . }}
  - --neo4j.user={{ .Values.neo4j.user }}
  {{- with .Values.neo4j.database }}
  - --neo4j.database={{ . }}
  {{- end }}
  {{- if include "neo4j-migration-exporter.passwordSecret" . }}
  - --neo4j.password-file={{ include "neo4j-migration-exporter.passwordDir" . }}/password
  {{- end }}
  {{- if include "neo4j-migration-exporter.migrationsConfigMap" . }}
  - --migrations.dir={{ .Values.migrations.mountPath }}
  {{- end }}
  {{- if .Values.customMetrics.queries }}
  - --collector.custom.file={{ include "neo4j-migration-exporter.customDir" . }}/custom-metrics.yml
  {{- end }}
  - --web.listen-address=:{{ .Values.port }}
  {{- with .Values.extraArgs }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- with .Values.extraEnv }}
env:
  {{- toYaml . | nindent 2 }}
{{- end }}
ports:
  - name: metrics
    containerPort: {{ .Values.port }}
    protocol: TCP
livenessProbe:
  {{- toYaml .Values.livenessProbe | nindent 2 }}
readinessProbe:
  {{- toYaml .Values.readinessProbe | nindent 2 }}
resources:
  {{- toYaml .Values.resources | nindent 2 }}
securityContext:
  {{- toYaml .Values.securityContext | nindent 2 }}
{{- $mounts := include "neo4j-migration-exporter.volumes" . }}
{{- if $mounts }}
volumeMounts:
  {{- if include "neo4j-migration-exporter.passwordSecret" . }}
  - name: migration-exporter-password
    mountPath: {{ include "neo4j-migration-exporter.passwordDir" . }}
    readOnly: true
  {{- end }}
  {{- if include "neo4j-migration-exporter.migrationsConfigMap" . }}
  - name: migration-exporter-migrations
    mountPath: {{ .Values.migrations.mountPath }}
    readOnly: true
  {{- end }}
  {{- if .Values.customMetrics.queries }}
  - name: migration-exporter-custom-metrics
    mountPath: {{ include "neo4j-migration-exporter.customDir" . }}
    readOnly: true
  {{- end }}
{{- end }}
{{- end }}

{{/* The volumes the container mounts. As a sidecar the pod's fsGroup is Neo4j's, not the
exporter's, so the password file is readable by all the pod's users there (0444) and by the
exporter's group alone (0440) in its own pod. */}}
{{- define "neo4j-migration-exporter.volumes" -}}
{{- with include "neo4j-migration-exporter.passwordSecret" . }}
- name: migration-exporter-password
  secret:
    secretName: {{ . }}
    defaultMode: {{ if eq $.Values.mode "sidecar" }}292{{ else }}288{{ end }}
    items:
      - key: {{ if $.Values.auth.existingSecret }}{{ $.Values.auth.existingSecretKey }}{{ else }}password{{ end }}
        path: password
{{- end }}
{{- with include "neo4j-migration-exporter.migrationsConfigMap" . }}
- name: migration-exporter-migrations
  configMap:
    name: {{ . }}
{{- end }}
{{- if .Values.customMetrics.queries }}
- name: migration-exporter-custom-metrics
  configMap:
    name: {{ include "neo4j-migration-exporter.fullname" . }}-custom-metrics
{{- end }}
{{- end }}

{{/* What to add to the Neo4j pod's spec in sidecar mode. */}}
{{- define "neo4j-migration-exporter.sidecar" -}}
containers:
  - {{ include "neo4j-migration-exporter.container" . | nindent 4 | trim }}
{{- with include "neo4j-migration-exporter.volumes" . }}
volumes:
  {{- . | trim | nindent 2 }}
{{- end }}
{{- end }}
