"""What the coop does: theories of change, partners, key figures, meeting places,
activities, neighbourhood events and periodic counts per initiative."""
