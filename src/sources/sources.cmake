# sources stage: CTF through libbabeltrace2.
