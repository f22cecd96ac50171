(import 'files.libsonnet')(import 'mixin.libsonnet')
