#!/bin/sh
# Entry point of the compose service objectstore: SeaweedFS master, volume, filer and S3 gateway
# in one process, one identity from S3_ACCESS_KEY / S3_SECRET_KEY (issue 19).
set -e
cat > /tmp/s3.json <<JSON
{"identities": [{"name": "portal", "credentials": [{"accessKey": "${S3_ACCESS_KEY}", "secretKey": "${S3_SECRET_KEY}"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
exec weed server -dir=/data -master.telemetry=false -volume.max=0 -filer -s3 -s3.port=8333 -s3.config=/tmp/s3.json
