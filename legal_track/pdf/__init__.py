"""PDF production: CJK font discovery, exhibit normalisation, evidence bundles.

Modules (import the one you need; nothing is imported here so that importing the
package stays cheap):

- :mod:`legal_track.pdf.fonts`: find a CJK font on the system (or the configured one).
- :mod:`legal_track.pdf.bundle`: :func:`build_bundle` and the bundle data classes.
- :mod:`legal_track.pdf.verify`: :func:`verify_bundle`.
- :mod:`legal_track.pdf.index_export`: the index as .docx and .xlsx.
"""
