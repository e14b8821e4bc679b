"""`kieumau synth [--seed N] [--prefix S] [--scale F]`: a synthetic national structure."""

from django.core.management.base import BaseCommand, CommandError

from kieumau.core.actors import CLI
from kieumau.core.errors import DomainError
from kieumau.orgunits.synth import DEFAULT_PREFIX, generate_national

LABELS = [
    ("provinces_before", "Tỉnh, thành phố trước 01/07/2025 / provinces before"),
    ("districts", "Đơn vị cấp huyện (đến 01/03/2025) / districts"),
    ("communes_before", "Đơn vị cấp xã trước 2025 / commune-level units before"),
    ("wards_before", "  trong đó phường / of which wards"),
    ("townships_before", "  thị trấn / townships"),
    ("communes_kind_before", "  xã / communes"),
    ("provinces_after", "Tỉnh, thành phố từ 01/07/2025 / provinces after"),
    ("communes_after", "Đơn vị cấp xã từ 01/07/2025 / commune-level units after"),
    ("wards_after", "  phường / wards"),
    ("communes_kind_after", "  xã / communes"),
    ("special_zones_after", "  đặc khu / special zones"),
    ("units", "Đơn vị (mã) / units"),
    ("versions", "Phiên bản / versions"),
    ("events", "Sự kiện / events"),
    ("links", "Liên kết kế thừa / lineage links"),
    ("closure_rows", "Bảng phạm vi (closure) / closure rows"),
]


class Command(BaseCommand):
    help = (
        "Tạo cơ cấu đơn vị tổng hợp quy mô toàn quốc để đo hiệu năng "
        "(build a synthetic national unit structure for benchmarks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--prefix", default=DEFAULT_PREFIX, help=f"code prefix (default {DEFAULT_PREFIX!r})"
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="fraction of the real scale, 0 < F <= 1 (default 1 = 3,321 units in 2025)",
        )

    def handle(self, *args, seed, prefix, scale, **options):
        try:
            result = generate_national(actor=CLI, seed=seed, scale=scale, prefix=prefix)
        except DomainError as exc:
            raise CommandError(exc.summary()) from exc
        self.stdout.write(
            f"Đã tạo dữ liệu tổng hợp (tiền tố '{result.prefix}', seed {result.seed}, "
            f"tỉ lệ {result.scale:g}) / synthetic structure created:"
        )
        for key, label in LABELS:
            if key in result.counts:
                number = f"{result.counts[key]:,}".replace(",", ".")
                self.stdout.write(f"  {label}: {number}")
        self.stdout.write(f"Thời gian / elapsed: {result.seconds:.1f} s")
