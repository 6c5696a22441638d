"""Appointments (预约): slots, bookings with capacity, check-in at the kiosk, reminders."""
