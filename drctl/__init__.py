"""drctl: the operator CLI for megaticket-dr (doctor, approve/reject, failover/failback, report, rto)."""
