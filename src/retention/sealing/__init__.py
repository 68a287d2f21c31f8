"""The personal-data envelope: events are stored with personal fields sealed per key scope."""
