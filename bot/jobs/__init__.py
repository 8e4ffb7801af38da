"""The scheduled work of features beside the reminder sweep: the duty's rule source, the staff-card
job, the hotline's retention purge, the phase ratings stored when a phase ends.
"""
