"""What one upload may hold, for the upload page (ui.upload) and the server's guard on Streamlit's
upload endpoint (ui.upload_guard). The server imports the guard before it answers its first
request, so this module imports nothing that costs time (pandas and the loader come later).
"""
from etl.ingest.read import MAX_FILE_BYTES

MAX_BYTES = MAX_FILE_BYTES  # SPEC §3 too_large: one workbook
MAX_MB = MAX_BYTES // 2**20
MAX_FILES = 200
MAX_TOTAL_BYTES = 200 * 2**20  # per upload: Streamlit holds every file in memory until the run ends
MAX_TOTAL_MB = MAX_TOTAL_BYTES // 2**20
