import 'capacity.libsonnet'
