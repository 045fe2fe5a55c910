"""商品与库存: the Stock table, one row per SKU, with its discount, safety stock and status formulas."""

from __future__ import annotations

from xlpromo.model.columns import DEC, ENUM, FLAGS, INT, PCT, system_columns
from xlpromo.model.defaults import STOCK_STATES
from xlpromo.model.schema import Column, Highlight, Style, Table

__all__ = ["STOCK", "STOCK_AGED", "STOCK_LOW", "STOCK_OK", "STOCK_OUT"]

# --------------------------------------------------------------------------- 商品与库存
#: 状态 of a SKU on 商品与库存, most urgent first: the formula tests them in this order.
STOCK_OUT, STOCK_LOW, STOCK_AGED, STOCK_OK = STOCK_STATES
_STOCK_STATUS = (
    f'IF(NOT(ISNUMBER({{stock}})),"",IF({{stock}}<=0,"{STOCK_OUT}",'
    f'IF(IFERROR(AND(ISNUMBER({{safety_stock}}),{{stock}}<{{safety_stock}}),FALSE),"{STOCK_LOW}",'
    f'IF(AND(ISNUMBER({{age_days}}),{{age_days}}>{{TH:stock_age_days}}),"{STOCK_AGED}","{STOCK_OK}"))))'
)

STOCK = Table(
    key="stock", name="Stock", title="商品与库存表", optional=True,
    id_prefix="S", id_column="row_id", mark_column="mark", owner_column="dept",
    columns=(
        Column(key="sku", header="SKU", required=True, unique=True, width=12, filled_by="运营部",
               note="商品编码，唯一，如 SKU001"),
        Column(key="name", header="商品名称", required=True, width=20, filled_by="运营部"),
        Column(key="category", header="类目", width=10, filled_by="运营部"),
        Column(key="role", header="商品角色", type=ENUM, choices="product_roles", width=10, filled_by="运营部",
               note="爆款/引流款/利润款/清仓款"),
        Column(key="list_price", header="日常价", type=DEC, min=0, width=10, filled_by="运营部", note="单位：元"),
        Column(key="promo_price", header="活动价", type=DEC, min=0, width=10, filled_by="运营部", note="单位：元"),
        Column(key="discount", header="折扣", type=PCT, width=8,
               formula='IF(OR(NOT(ISNUMBER({promo_price})),NOT(ISNUMBER({list_price}))),"",'
                       'IF({list_price}<=0,"",{promo_price}/{list_price}))',
               note="活动价÷日常价：85% 即 8.5折（让利15%）"),
        Column(key="stock", header="当前库存", type=INT, min=0, width=10, note="件"),
        Column(key="daily_sales", header="日均销量", type=DEC, min=0, width=10, note="件/天，近期日均"),
        Column(key="safety_stock", header="安全库存", type=DEC, width=10,
               formula='IF(ISNUMBER({daily_sales}),{daily_sales}*{TH:safety_stock_factor},"")',
               note="日均销量×安全库存系数（阈值配置）"),
        Column(key="flash", header="是否秒杀", type=ENUM, choices="yes_no", width=9, filled_by="运营部"),
        Column(key="forecast", header="预估销量", type=DEC, min=0, width=10, filled_by="运营部",
               note="活动期预估销量，件"),
        Column(key="flash_stock", header="秒杀备货", type=DEC, width=10,
               formula='IF(AND({flash}="是",ISNUMBER({forecast})),{forecast}*{TH:flash_stock_factor},"")',
               note="秒杀商品：预估销量×秒杀备货系数（阈值配置）"),
        Column(key="age_days", header="库龄天数", type=INT, min=0, width=9, note="天"),
        Column(key="days_cover", header="可售天数", type=DEC, num_format="0.0", width=9,
               formula='IF(AND(ISNUMBER({stock}),ISNUMBER({daily_sales})),'
                       'IF({daily_sales}>0,{stock}/{daily_sales},""),"")',
               note="当前库存÷日均销量"),
        Column(key="status", header="状态", width=12, formula=_STOCK_STATUS),
        Column(key="dept", header="负责部门", type=ENUM, choices="departments", required=True, width=10,
               filled_by="运营部", note="采购部或仓储部"),
        Column(key="note", header="备注", width=22),
        *system_columns(),
    ),
    highlights=(
        *FLAGS,
        Highlight(when=f'OR({{status}}="{STOCK_OUT}",{{status}}="{STOCK_LOW}")', style=Style.RED,
                  columns=("stock", "safety_stock", "status"), meaning="缺货或低于安全库存"),
        Highlight(when=f'{{status}}="{STOCK_AGED}"', style=Style.AMBER, columns=("age_days", "status"),
                  meaning="库龄超过库龄清仓天数（阈值配置），建议清仓"),
    ),
)
