"""Registration and triage (登记分流): visitors, matters (cases), routing, statutory clocks."""
