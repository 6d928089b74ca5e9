"""The chart builders as the pages use them: those of etl/outputs/charts.py (plotly only, no
Streamlit) and the presentation type's sizes of etl/outputs/figure.py. Colours are etl.theme's,
names etl.labels'.
"""
from etl.outputs.charts import (QUALITY_ORDER, bars, best_first, change_bars, count_heatmap,  # noqa: F401
                                heatmap, lines, progress_bars, quality_stack, rate_bars)
from etl.outputs.figure import BIG_FRAME, BIG_ROW, big_height, big_rows, warm  # noqa: F401
