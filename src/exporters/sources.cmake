# exporters stage
