"""Delivery of preserved records to the city archive (Stadsarkivet) as E-ARK SIP packages."""
