"""Pulumi component resources of the landing zone, one concern per module."""
