"""The telephony providers the helpline's call core is driven by, one package each."""
