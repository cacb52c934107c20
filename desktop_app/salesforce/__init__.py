"""Salesforce side of Crosslink: OAuth login, saved connection profiles, the API client and the
preflight checks that tell a user whether their org can hold the links."""
