"""A stand-in of Asterisk's REST Interface (ARI), as Asterisk 20 and 22 document it: the REST
resources under `/ari` and the events WebSocket, with their authentication and their errors,
and the parties of a call (callers dialling in, counselors' phones that ring and answer or
not) played by the emulator.

    model.py    channels, bridges, playbacks and the Stasis applications, and the events
                each change sends to the application's WebSocket
    rest.py     the REST resources and their errors (JSON `{"message"}`)
    server.py   the HTTP server: REST, and the events WebSocket at /ari/events
"""
