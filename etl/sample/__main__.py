"""Command line: python -m etl.sample OUT_DIR [--communes N] [--branches LOW HIGH] [--seed S]
[--first YYYY-MM --last YYYY-MM] [--clean]. Writes the demo files and prints a one-line summary."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from etl.sample import generate, month_range
from etl import warehouse


def main(argv: list[str] | None = None) -> int:
    warehouse.keep_private()
    parser = argparse.ArgumentParser(prog="python -m etl.sample",
                                     description="Tạo bộ báo cáo mẫu (dữ liệu minh họa) để nạp vào kho dữ liệu.")
    parser.add_argument("out_dir", type=Path, help="thư mục ghi tệp (ví dụ data/sample)")
    parser.add_argument("--communes", type=int, default=14, help="số đảng bộ xã (mặc định 14)")
    parser.add_argument("--branches", type=int, nargs=2, default=(6, 15), metavar=("MIN", "MAX"),
                        help="số chi bộ mỗi đảng bộ, từ MIN đến MAX (mặc định 6 15)")
    parser.add_argument("--seed", type=int, default=2024, help="hạt giống ngẫu nhiên (mặc định 2024)")
    parser.add_argument("--first", default="2024-01", help="tháng đầu, YYYY-MM (mặc định 2024-01)")
    parser.add_argument("--last", default="2026-10", help="tháng cuối, YYYY-MM (mặc định 2026-10)")
    parser.add_argument("--clean", action="store_true",
                        help="báo cáo gọn theo mẫu, không có các kiểu trình bày lộn xộn và cảnh báo")
    parser.add_argument("--db", type=Path, help="nạp luôn các tệp vào kho dữ liệu này, mỗi báo cáo với ngày nhận của nó")
    args = parser.parse_args(argv)
    try:
        months = len(month_range(args.first, args.last))
        started = time.perf_counter()
        options = dict(communes=args.communes, first=args.first, last=args.last, seed=args.seed,
                       branches=tuple(args.branches), messy=not args.clean)
        if args.db:
            from etl.sample.demo import build_demo
            results = build_demo(args.out_dir, args.db, **options)
            rejected = [r.file for r in results if r.status == "rejected"]
            print(f"Đã nạp {sum(r.status == 'loaded' for r in results)} tệp vào {args.db}"
                  + (f"; bị từ chối: {', '.join(rejected)}" if rejected else "") + ".")
            return 1 if rejected else 0
        files = generate(args.out_dir, **options)
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    monthly = sum(f.kind == "monthly" for f in files)
    missing = args.communes * months - monthly
    duration = f"{seconds:.1f}".replace(".", ",")  # Vietnamese decimal comma
    print(f"Đã tạo {monthly} báo cáo tháng của {args.communes} đảng bộ ({args.first} đến {args.last}, "
          f"{missing} báo cáo không nộp), danh mục đơn vị, chỉ tiêu kết nạp và sổ theo dõi kiểm tra "
          f"trong {args.out_dir} ({duration} giây).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
