"""Synthetic claim dossiers for development and evaluation (``claims samples``).

Everything here is invented: people, ID numbers (with valid check digits), policies,
hospitals, garages, invoices and photos. Each dossier folder holds ``fnol.json``
(``FirstNotice``), ``policy.json`` (``PolicyRecord``), the uploads under ``documents/``
and ``truth.json``: every document's type, kind, page count, rotation and the
normalised true value of each key field it prints, plus the defects planted on purpose.

Conventions a consumer needs:

- ``rotation`` is how far the stored page is turned counter-clockwise; turning it that
  many degrees clockwise makes it upright.
- In a clean claim, ``fnol.claimed_amount`` equals the sum of the invoice totals
  (``medical_invoice``, ``repair_invoice``); a ``repair_estimate`` stands in only when
  there is no repair invoice, and may differ from the invoice when both exist.
  Theft claims have no invoice: the amount is 80% of the vehicle price.
- ``reused_invoice`` is recorded in both claims: ``role: copy`` (planted, with
  ``same_as``) and ``role: original`` (with ``also_in``); ``near: true`` means the copy
  was cropped and re-compressed rather than byte-identical.
- ``fraud_label`` is SYNTHETIC: drawn with a probability that rises with planted
  defects (reused invoice, invoice before the incident, amount or name mismatch), a
  policy that began less than 30 days before the incident, a late report and an
  incident outside the policy period (see ``truth.signals``). It is a test signal for
  the pipeline, not evidence about real fraud.
"""
from pipeline.samples.generator import generate_dossiers
from pipeline.samples.noise import NoiseSettings

__all__ = ["generate_dossiers", "NoiseSettings"]
