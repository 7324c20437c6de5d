"""Re-audits: audit records with their findings and the corrective actions those call for."""
