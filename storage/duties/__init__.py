"""Duties' storage: "124" check-ins and leave, member marks, inspections."""
