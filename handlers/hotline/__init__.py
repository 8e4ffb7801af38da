"""The anonymous complaint hotline (投诉): /complain, /status with the receipt, the staff card of a
complaint.
"""
