"""Streamlit entry point: `streamlit run app.py` (or `legal-track serve`)."""

from legal_track.ui.shell import main

main()
