"""Failover and failback Lambda code for megaticket-dr (packaged by components/failover_pipeline).

Modules hold plain functions that take their boto3 clients; `handlers.py` is the only place that
builds clients and reads the environment (see `settings.py` for the variable contract).
"""
