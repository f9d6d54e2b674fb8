"""The boto3 bridge: simulated AWS answers returned to botocore in each service's wire protocol, and the
Lambda control plane."""
