//go:build tools

// Package tools pins the BigQuery emulator that the local stack builds.
package tools

import _ "github.com/goccy/bigquery-emulator/cmd/bigquery-emulator"
