"""Asterisk through its REST Interface (ARI): the client of ARI's REST resources and events
WebSocket (`ari_client.py`)."""
