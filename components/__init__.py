"""One module per pulumi.ComponentResource (type token megaticket-dr:<area>:<Type>)."""
