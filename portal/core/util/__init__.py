"""Small services every part uses: time (``timeutil``), e-mail (``mail``), QR
codes (``qr``), charts, exports (CSV/XLSX), logos, typed codes, stored-text
translation (``i18n``).
"""
