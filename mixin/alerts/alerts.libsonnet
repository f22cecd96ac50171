(import 'migrations.libsonnet') + (import 'database.libsonnet') + (import 'exporter.libsonnet')
