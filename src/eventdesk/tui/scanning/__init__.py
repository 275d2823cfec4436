"""A badge scanner's keys: the scan box, the burst filter that tells a scan from typing, the scan loop."""
